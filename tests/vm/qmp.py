"""A small QMP client: qemu's JSON control protocol on a unix socket, for power control."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path
from typing import Any


class QmpError(RuntimeError):
    pass


def connect_unix(path: Path, timeout: float) -> socket.socket:
    """A connection to qemu's socket `path`, retried until qemu has made it (or `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class Qmp:
    def __init__(self, path: Path, timeout: float = 30) -> None:
        self._sock = connect_unix(path, timeout)
        self._sock.settimeout(timeout)
        self._file = self._sock.makefile("rwb")
        self._read()  # the greeting
        self.command("qmp_capabilities")

    def _read(self) -> dict[str, Any]:
        line = self._file.readline()
        if not line:
            raise QmpError("qemu closed the QMP socket")
        message: dict[str, Any] = json.loads(line)
        return message

    def command(self, execute: str, /, **arguments: Any) -> Any:
        """Run a QMP command; its arguments may be called `name` too (set_link's is)."""
        request: dict[str, Any] = {"execute": execute}
        if arguments:
            request["arguments"] = arguments
        self._file.write(json.dumps(request).encode() + b"\n")
        self._file.flush()
        while True:
            reply = self._read()
            if "event" in reply:  # asynchronous events interleave with replies
                continue
            if "error" in reply:
                raise QmpError(f"{execute}: {reply['error'].get('desc', reply['error'])}")
            return reply.get("return")

    def status(self) -> str:
        return str(self.command("query-status")["status"])

    def close(self) -> None:
        try:
            self._file.close()
        finally:
            self._sock.close()
