"""A guest's serial line as the harness sees it: wait for a message, log in, run a command;
a pyte screen for full-screen programs (the TUIs); every byte kept in the test's artifacts.

A thread drains the socket all the time. A line nobody reads fills the socket's buffer, qemu
then stops the guest's UART, and a kernel printing to that console stalls (RCU stall
warnings, then nothing): so reading must not depend on a test waiting for something.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyte

from tests.vm.qmp import connect_unix

ROWS, COLS = 24, 80
#: The prompt the harness gives its shells: distinctive, so command output never matches it.
PROMPT = "VMTEST# "
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")
#: urwid ends a frame by showing the cursor on the focused widget.
CURSOR_SHOWN = b"\x1b[?25h"
#: A screen whose program shows no cursor is whole once the line has been quiet this long.
QUIET = 0.3


class ConsoleError(AssertionError):
    """A wait on the console ran out; the message ends with what the line showed last."""


class Console:
    def __init__(self, path: Path, log_path: Path, timeout: float = 60) -> None:
        self.sock = connect_unix(path, timeout)
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.screen = pyte.Screen(COLS, ROWS)
        self._stream = pyte.ByteStream(self.screen)
        self._data = bytearray()
        self._pos = 0  # where the next expect starts looking
        self._closed = False
        self._cursor_shown = False  # the last frame is complete (its cursor is back on the focus)
        self._last_data = time.monotonic()
        self._changed = threading.Condition()
        self.before = ""
        self.match: re.Match[str] | None = None
        threading.Thread(target=self._pump, name=f"console {path.name}", daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                chunk = b""
            with self._changed:
                if not chunk:
                    self._closed = True
                    self._changed.notify_all()
                    return
                self._data += chunk
                if not self._log.closed:
                    self._log.write(chunk)
                    self._log.flush()
                self._stream.feed(chunk)
                self._last_data = time.monotonic()
                # Whole only if the cursor was shown last, with nothing written after it.
                self._cursor_shown = chunk.endswith(CURSOR_SHOWN)
                self._changed.notify_all()

    # -- waiting --------------------------------------------------------------------------

    def expect(self, pattern: str, timeout: float) -> re.Match[str]:
        """Wait for a regular expression in what arrived since the last match."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                # surrogateescape: bytes that are not UTF-8 (firmware's box drawing) map back
                # one to one, so the position in bytes stays exact.
                text = self._data[self._pos:].decode(errors="surrogateescape")
                found = regex.search(text)
                if found:
                    self.before = text[:found.start()]
                    self.match = found
                    self._pos += len(text[:found.end()].encode(errors="surrogateescape"))
                    return found
                left = deadline - time.monotonic()
                if left <= 0 or self._closed:
                    what = "the line closed" if self._closed else "timed out"
                    raise ConsoleError(f"{what} after {timeout:.0f} s waiting for {pattern!r}; last output:\n"
                                       f"{self.tail()}")
                self._changed.wait(min(left, 1.0))

    def tail(self, lines: int = 25) -> str:
        text = ANSI.sub(b"", bytes(self._data[-20000:])).decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_screen(self, text: str, timeout: float) -> str:
        """Wait until the pyte screen shows `text`; the screen."""
        return self.wait(lambda screen: text in screen, timeout, repr(text))

    def wait(self, predicate: Callable[[str], bool], timeout: float, what: str) -> str:
        """Wait until the screen, once drawn whole, passes `predicate`; the screen. (Over a
        serial line a redraw takes a noticeable time: a screen read halfway mixes two frames.)"""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not (self._settled() and predicate(self._display())):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise ConsoleError(f"screen never showed {what} in {timeout:.0f} s; it shows:\n"
                                       f"{self._display()}")
                self._changed.wait(min(left, QUIET / 3))
            return self._display()

    def focused(self, timeout: float = 120) -> tuple[int, str]:
        """The cursor's row (urwid puts the cursor on the focused widget) and its line, read
        from a whole frame."""
        with self._changed:  # re-entrant: the frame waited for is the one read
            self.wait(lambda _screen: True, timeout, "a whole frame")
            row = self.screen.cursor.y
            return row, self.screen.display[row].rstrip()

    def _settled(self) -> bool:
        return self._cursor_shown or time.monotonic() - self._last_data >= QUIET

    def display(self) -> str:
        with self._changed:
            return self._display()

    def _display(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    # -- typing ---------------------------------------------------------------------------

    def send(self, text: str) -> None:
        self.sock.sendall(text.encode())

    def sendline(self, text: str = "") -> None:
        self.send(text + "\r")

    def login(self, user: str, password: str, timeout: float = 120, new_password: str | None = None) -> None:
        """Log in; when the password is expired (adminpw=, rootpw=), change it to `new_password`."""
        self.expect(r"login: ", timeout)
        self.sendline(user)
        self.expect(r"[Pp]assword: ", 30)
        self.sendline(password)
        if new_password is None:
            return
        self.expect(r"[Cc]urrent password: ", 60)
        self.sendline(password)
        self.expect(r"[Nn]ew password: ", 60)
        self.sendline(new_password)
        self.expect(r"[Rr]etype new password: ", 60)
        self.sendline(new_password)

    def shell_ready(self, timeout: float = 60) -> None:
        """Make the shell on this line use the harness's prompt and no echo."""
        # Quoted apart, so that the line's own echo never reads as the prompt.
        head, tail = PROMPT[:2], PROMPT[2:]
        self.sendline(f"export PS1='{head}''{tail}' TERM=dumb; stty -echo cols {COLS} rows {ROWS}")
        self.expect(re.escape(PROMPT), timeout)

    def run(self, command: str, timeout: float = 120) -> tuple[int, str]:
        """Run a command in the shell set up by shell_ready; its exit code and output."""
        marker = f"RC{int(time.monotonic() * 1000) % 100000}="
        self.sendline(f"{command}; echo {marker}$?")
        found = self.expect(re.escape(marker) + r"(\d+)\s", timeout)
        output = self.before
        self.expect(re.escape(PROMPT), 30)
        raw = output.encode(errors="surrogateescape")
        return int(found.group(1)), ANSI.sub(b"", raw).decode(errors="replace").strip()

    def check(self, command: str, timeout: float = 120) -> str:
        """Run a command that must succeed; its output."""
        code, output = self.run(command, timeout)
        if code != 0:
            raise ConsoleError(f"`{command}` exited {code}:\n{output}")
        return output

    def close(self) -> None:
        try:
            self.sock.close()
        finally:
            with self._changed:
                self._log.close()
