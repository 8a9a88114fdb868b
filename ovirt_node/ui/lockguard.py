"""While the console is locked, nothing but the password leaves the lock screen: Ctrl-C,
Ctrl-\\ and Ctrl-Z must neither end the setup nor suspend it to the shell that started it.

The terminal's signal keys are unmapped (they then reach the lock screen as plain keys, which
it ignores), and SIGINT, SIGQUIT and SIGTSTP sent any other way are ignored; both are put back
on unlock.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

import urwid

log = logging.getLogger(__name__)

HELD = (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP)


class LockGuard:
    def __init__(self) -> None:
        self._keys: tuple[bytes, ...] | None = None
        self._handlers: dict[int, Any] = {}

    def hold(self, screen: urwid.BaseScreen) -> None:
        keys = getattr(screen, "tty_signal_keys", None)
        if keys is not None and self._keys is None:
            self._keys = keys(intr="undefined", quit="undefined", susp="undefined")
        if threading.current_thread() is threading.main_thread() and not self._handlers:
            self._handlers = {sig: signal.signal(sig, signal.SIG_IGN) for sig in HELD}
        log.debug("signal keys and signals held while locked")

    def release(self, screen: urwid.BaseScreen) -> None:
        keys = getattr(screen, "tty_signal_keys", None)
        if keys is not None and self._keys is not None:
            intr, quit_, _start, _stop, susp = self._keys
            keys(intr=intr, quit=quit_, susp=susp)
        self._keys = None
        for sig, handler in self._handlers.items():
            signal.signal(sig, handler)
        self._handlers = {}
