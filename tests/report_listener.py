"""A real HTTP listener for lifecycle reports: http.server on the host's loopback in a thread,
keeping every JSON body POSTed to it (the integration tests, and the VM suite, whose guest
reaches the host's loopback at 10.0.2.2)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Event = dict[str, Any]


class ReportListener:
    """Every request that reached it (path and parsed body), and the status it answers with."""

    def __init__(self, port: int = 0, status: int = 204) -> None:
        self.status = status
        self.requests: list[tuple[str, Event]] = []
        self._arrived = threading.Condition()
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with listener._arrived:
                    listener.requests.append((self.path, json.loads(body)))
                    listener._arrived.notify_all()
                self.send_response(listener.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (http.server's name)
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, name="report listener", daemon=True).start()

    def url(self, host: str = "127.0.0.1", path: str = "/events") -> str:
        return f"http://{host}:{self.port}{path}"

    @property
    def events(self) -> list[Event]:
        with self._arrived:
            return [event for _, event in self.requests]

    def wait(self, predicate: Callable[[Event], bool], timeout: float, what: str) -> Event:
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                for _, event in self.requests:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(e.get("phase"), e.get("result")) for _, e in self.requests]
                    raise AssertionError(f"no {what} in {timeout:.0f} s; the listener got: {seen}")
                self._arrived.wait(min(left, 1.0))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def report_listener(port: int = 0, status: int = 204) -> Iterator[ReportListener]:
    listener = ReportListener(port, status)
    try:
        yield listener
    finally:
        listener.close()
