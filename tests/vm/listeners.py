"""What the host runs for a booted node to reach: UDP listeners (remote syslog, netconsole,
collectd's network plugin) and an iSCSI target (tgt, in user space) that lets in one initiator
name only. The guest reaches the host's loopback at qemu user networking's gateway, 10.0.2.2."""

from __future__ import annotations

import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

#: The host as a guest on qemu's user networking sees it (its packets go to 127.0.0.1).
HOST_FROM_GUEST = "10.0.2.2"


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class UdpListener:
    """Every datagram that reaches a UDP port on the host's loopback, kept in arrival order."""

    def __init__(self, name: str, log: Path) -> None:
        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.datagrams: list[bytes] = []
        self._log = log
        self._arrived = threading.Condition()
        threading.Thread(target=self._receive, name=f"udp {name}", daemon=True).start()

    def _receive(self) -> None:
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            with self._arrived:
                self.datagrams.append(data)
                with self._log.open("ab") as log:
                    log.write(data + b"\n")
                self._arrived.notify_all()

    def wait(self, predicate: Callable[[bytes], bool], timeout: float, what: str, since: int = 0) -> bytes:
        """The first datagram (from index `since`) that passes `predicate`."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for data in self.datagrams[since:]:
                    if predicate(data):
                        return data
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = b"\n".join(self.datagrams[-5:]).decode(errors="replace")
                    raise AssertionError(f"{self.name} (udp {self.port}): no {what} in {timeout:.0f} s; "
                                         f"{len(self.datagrams)} datagrams, the last:\n{seen}")
                self._arrived.wait(min(left, 1.0))

    def count(self) -> int:
        with self._arrived:
            return len(self.datagrams)

    def close(self) -> None:
        self.sock.close()


def collectd_parts(packet: bytes) -> list[tuple[int, bytes]]:
    """collectd's binary network protocol: parts of (type, length incl. the 4-byte header)."""
    parts = []
    offset = 0
    while offset + 4 <= len(packet):
        kind, length = struct.unpack_from("!HH", packet, offset)
        if length < 4 or offset + length > len(packet):
            break
        parts.append((kind, packet[offset + 4:offset + length]))
        offset += length
    return parts


def collectd_hosts(packet: bytes) -> set[str]:
    """The host names a collectd packet reports values for (part type 0x0000)."""
    return {body.rstrip(b"\0").decode(errors="replace") for kind, body in collectd_parts(packet) if kind == 0}


@contextmanager
def iscsi_target(workdir: Path, iqn: str, allowed_initiator: str, size_mib: int = 16,
                 name: str = "iscsi-lun") -> Iterator[int]:
    """tgtd on the host's loopback: one target (`iqn`) with a LUN of `size_mib` (a sparse file
    `name`.img in `workdir`, kept when it exists), bound to one initiator name; its port."""
    port = free_tcp_port()
    control = 1000 + port % 30000  # tgtd's management channel, one per test run
    lun = workdir / f"{name}.img"
    if not lun.exists():
        with lun.open("wb") as image:
            image.truncate(size_mib * 1024 * 1024)
    log = (workdir / f"{name}.tgtd.log").open("ab")
    tgtd = subprocess.Popen(["tgtd", "-f", "-C", str(control), "--iscsi", f"portal=127.0.0.1:{port}"],
                            stdout=log, stderr=log)
    try:
        def admin(*args: str) -> None:
            argv = ["tgtadm", "-C", str(control), "--lld", "iscsi", *args]
            for _ in range(50):  # until tgtd listens on its management channel
                done = subprocess.run(argv, check=False, capture_output=True, text=True)
                if done.returncode == 0:
                    return
                if tgtd.poll() is not None:
                    break
                time.sleep(0.2)
            raise AssertionError(f"{' '.join(argv)}: {done.stderr or done.stdout}")

        admin("--op", "new", "--mode", "target", "--tid", "1", "-T", iqn)
        admin("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b", str(lun))
        admin("--op", "bind", "--mode", "target", "--tid", "1", "--initiator-name", allowed_initiator)
        yield port
    finally:
        tgtd.kill()
        tgtd.wait()
        log.close()
