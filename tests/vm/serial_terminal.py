"""A guest's serial console as a terminal the focus walk drives (tests/terminal/walk.py): the
same key names as tmux's, sent as the bytes a VT100 sends, and the screen as pyte reads it."""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.vm.console import Console

KEYS = {"Enter": "\r", "Tab": "\t", "BTab": "\x1b[Z", "Escape": "\x1b", "Space": " ",
        "BSpace": "\x7f", "End": "\x1b[F",
        "Up": "\x1b[A", "Down": "\x1b[B", "Right": "\x1b[C", "Left": "\x1b[D", "F12": "\x1b[24~"}


class SerialTerminal:
    #: A TCG guest redrawing over 115200 baud: every wait of the walk gets this many times longer.
    patience = 10.0

    def __init__(self, console: Console) -> None:
        self.console = console

    def focused(self) -> tuple[int, str]:
        return self.console.focused()

    def send(self, *keys: str) -> None:
        for key in keys:  # one write per key, so an escape sequence arrives whole
            self.console.send(KEYS[key])
            if key == "Escape":
                # A lone Esc is told from the start of a sequence by a pause (urwid waits
                # 0.125 s): a key sent right after it would make "meta <key>" instead.
                time.sleep(0.5)

    def type(self, text: str) -> None:
        self.console.send(text)

    def screen(self) -> str:
        return self.console.display()

    def wait(self, predicate: Callable[[str], bool], timeout: float = 150, what: str = "") -> str:
        return self.console.wait(predicate, timeout, what or "the expected screen")

    def wait_for(self, text: str, timeout: float = 150) -> str:
        return self.wait(lambda screen: text in screen, timeout, repr(text))

    def wait_gone(self, text: str, timeout: float = 150) -> str:
        return self.wait(lambda screen: text not in screen, timeout, f"{text!r} to go away")
