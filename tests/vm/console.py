"""A guest's serial line as the harness sees it: pexpect for the byte stream (log in, run a
command, wait for a message), a pyte screen for full-screen programs (the TUIs), and every
byte kept in the test's artifacts."""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from typing import IO

import pexpect
import pyte
from pexpect import fdpexpect

ROWS, COLS = 24, 80
#: The prompt the harness gives its shells: distinctive, so command output never matches it.
PROMPT = "VMTEST# "
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


class ConsoleError(AssertionError):
    """A wait on the console ran out; the message ends with what the line showed last."""


class _Tee:
    """pexpect's logfile: every byte read goes to the log file and to the pyte screen."""

    def __init__(self, log: IO[bytes], stream: pyte.ByteStream) -> None:
        self.log = log
        self.stream = stream

    def write(self, data: bytes) -> None:
        self.log.write(data)
        self.stream.feed(data)

    def flush(self) -> None:
        self.log.flush()


class Console:
    def __init__(self, path: Path, log_path: Path, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.sock.connect(str(path))
                break
            except (FileNotFoundError, ConnectionRefusedError):
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.screen = pyte.Screen(COLS, ROWS)
        self.child = fdpexpect.fdspawn(self.sock.fileno(), timeout=timeout)
        self.child.logfile_read = _Tee(self._log, pyte.ByteStream(self.screen))

    # -- waiting --------------------------------------------------------------------------

    def expect(self, pattern: str | list[str], timeout: float) -> int:
        """Wait for a regular expression (or the first of several); the index of the match."""
        try:
            index: int = self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as exc:
            what = "timed out" if isinstance(exc, pexpect.TIMEOUT) else "the line closed"
            raise ConsoleError(f"{what} after {timeout:.0f} s waiting for {pattern!r}; last output:\n"
                               f"{self.tail()}") from None
        return index

    def tail(self, lines: int = 25) -> str:
        self._log.flush()
        text = ANSI.sub(b"", self.log_path.read_bytes()[-20000:]).decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_screen(self, text: str, timeout: float) -> str:
        """Wait until the pyte screen shows `text`; the screen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.display():
                return self.display()
            try:
                self.child.read_nonblocking(65536, timeout=0.5)
            except pexpect.TIMEOUT:
                pass
            except pexpect.EOF:
                break
        raise ConsoleError(f"screen never showed {text!r} in {timeout:.0f} s; it shows:\n{self.display()}")

    def display(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    # -- typing ---------------------------------------------------------------------------

    def send(self, text: str) -> None:
        self.child.send(text)

    def sendline(self, text: str = "") -> None:
        self.child.send(text + "\r")

    def login(self, user: str, password: str, timeout: float = 120) -> None:
        self.expect(r"login: ", timeout)
        self.sendline(user)
        self.expect(r"[Pp]assword: ", 30)
        self.sendline(password)

    def shell_ready(self, timeout: float = 60) -> None:
        """Make the shell on this line use the harness's prompt and no line editing noise."""
        self.sendline(f"export PS1='{PROMPT}' TERM=dumb; stty -echo cols {COLS} rows {ROWS}")
        self.expect(re.escape(PROMPT), timeout)

    def run(self, command: str, timeout: float = 120) -> tuple[int, str]:
        """Run a command in the shell set up by shell_ready; its exit code and output."""
        marker = f"RC{int(time.monotonic() * 1000) % 100000}="
        self.sendline(f"{command}; echo {marker}$?")
        self.expect(re.escape(marker) + r"(\d+)\s", timeout)
        output = self.child.before.decode(errors="replace")
        code = int(self.child.match.group(1))
        self.expect(re.escape(PROMPT), 30)
        return code, ANSI.sub(b"", output.encode()).decode().strip()

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
            self._log.close()
