"""Walking a urwid screen by its focus, for any terminal driver with `focused()`, `send(keys)`,
`type(text)`, `wait(predicate)` and `screen()`: tmux on the build host (tests/terminal/tmux.py)
or a guest's serial console (tests/vm/serial_terminal.py).

The focus is found with the terminal's cursor (urwid puts it on the focused widget), so a walk
does not depend on how many rows lie between two fields. A driver's `patience` scales every
wait (a TCG guest redraws over a 115200 baud line many times slower than tmux).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Protocol


class Terminal(Protocol):
    patience: float

    def focused(self) -> tuple[int, str]: ...
    def send(self, *keys: str) -> None: ...
    def type(self, text: str) -> None: ...
    def screen(self) -> str: ...
    def wait(self, predicate: Callable[[str], bool], timeout: float = 15, what: str = "") -> str: ...


def changed(term: Terminal, was: tuple[int, str], what: str, timeout: float = 5) -> tuple[int, str]:
    """Wait for the focused line to differ from `was` (the last key has been handled)."""
    deadline = time.monotonic() + timeout * term.patience
    while (now := term.focused()) == was:
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: nothing changed at {was}; the screen shows:\n{term.screen()}")
        time.sleep(0.01 * term.patience)
    return now


def move_to(term: Terminal, wanted: str | Callable[[str], bool], limit: int = 40, key: str = "Down") -> None:
    """Press `key` (Down or Up) until the focused line holds `wanted` (text, or a test of the
    line); at the end, the other way (a table whose rows a worker filled after the focus
    passed it)."""
    test = wanted if callable(wanted) else (lambda line: wanted in line)
    where = term.focused()
    first = key
    for _ in range(limit):
        if test(where[1]):
            return
        term.send(key)
        try:
            # No change in 4 s: the end of the list (2 s mistook a slow redraw under load for it).
            where = changed(term, where, f"moving to {wanted!r}", 4 if key == first else 5)
        except AssertionError:
            if key != first:
                raise
            key = "Up" if first == "Down" else "Down"
    raise AssertionError(f"never reached {wanted!r}; the screen shows:\n{term.screen()}")


def pick(term: Terminal) -> None:
    """Enter on a radio button, check box or row to mark: its mark changes."""
    was = term.focused()
    term.send("Enter")
    changed(term, was, "picking")


def type_in(term: Terminal, text: str) -> None:
    term.type(text)
    term.wait(lambda _s: text in term.focused()[1], timeout=5 * term.patience, what=f"{text!r} typed")


def fill(term: Terminal, fields: Sequence[tuple[str, str]]) -> None:
    """Walk to each field by its label; type its text, or pick it when the text is empty
    (a radio button or check box)."""
    for label, text in fields:
        move_to(term, label)
        if text:
            type_in(term, text)
        else:
            pick(term)


def ends_with(word: str) -> Callable[[str], bool]:
    """The line, without box edges ("\u2502" rich, "|" basic), ends with `word`."""
    return lambda line: line.replace("\u2502", "").replace("|", "").rstrip().endswith(word)
