"""SIGINT, SIGTERM and SIGHUP as an exception: a change rolls back on them, and every front
door (a CLI, the TUI) exits with 128 + N after saying so. Apart from the transactions, so that a
plain read (`ovirt-node-config get`) has the same handling without importing them."""

from __future__ import annotations

import signal
import threading
from types import FrameType


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP arrived while a change was being made (or planned). A
    BaseException, like KeyboardInterrupt: no `except Exception` may swallow it. Front doors
    exit with `exit_code` (128 + the signal's number) after printing it."""

    def __init__(self, signum: int, text: str = "") -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        super().__init__(text or f"interrupted by {signal.Signals(signum).name}")


#: The signals a run turns into Interrupted (in the main thread), rolls back on, then reports.
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class SignalGuard:
    """While active (in the main thread only: Python delivers signals there), SIGINT, SIGTERM
    and SIGHUP raise Interrupted; `hold()` makes them wait (a rollback must not be cut short)
    and `pending` tells which came meanwhile. Nested guards restore the outer handlers."""

    def __init__(self) -> None:
        self.armed = False
        self.pending: int | None = None
        self._old: dict[int, object] = {}

    def __enter__(self) -> SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in SIGNALS:
                self._old[signum] = signal.signal(signum, self._handle)
        self.armed = True
        return self

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.armed:
            self.armed = False  # one exception; what comes during the rollback waits
            raise Interrupted(signum)
        self.pending = self.pending or signum

    def hold(self) -> None:
        self.armed = False

    def __exit__(self, *_exc: object) -> None:
        self.armed = False
        for signum, handler in self._old.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]
