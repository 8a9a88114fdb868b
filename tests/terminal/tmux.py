"""Drive a real program in a private tmux server: send keys, read the screen, resize.

Each `Tmux` runs its own server (`-L` socket name), so tests never touch a user's sessions
and can run in parallel. Reads poll `capture-pane` until the expected text shows up (or a
timeout), so no test waits longer than the program needs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from itertools import count
from pathlib import Path

TMUX = shutil.which("tmux")
_ids = count()
_EXITED = re.compile(r"EXITED (-?\d+)")
# Runs the program, then shows how it ended and keeps the pane for the test to read. Ctrl-C,
# Ctrl-\\ and Ctrl-Z reach the whole foreground group: the wrapper lets the program alone
# decide (no-op handlers, not SIG_IGN, which the program would inherit).
_WRAPPER = (
    "import signal, subprocess, sys, time\n"
    "for s in (signal.SIGINT, signal.SIGQUIT, signal.SIGTSTP):\n"
    "    signal.signal(s, lambda *_: None)\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "print(f'EXITED {code}', flush=True)\n"
    "time.sleep(600)\n"
)


class Tmux:
    #: How much longer than planned a wait may take (tests/terminal/walk.py); tmux is fast.
    patience = 1.0

    def __init__(self, cols: int = 80, rows: int = 24) -> None:
        if TMUX is None:
            raise RuntimeError("tmux is not installed")
        self.tmux: str = TMUX
        self.socket = f"ovirt-node-test-{os.getpid()}-{next(_ids)}"
        self.cols, self.rows = cols, rows

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run([self.tmux, "-L", self.socket, "-f", "/dev/null", *args], capture_output=True,
                              text=True, check=check, timeout=20)

    def start(self, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
        """Run `argv` (no shell) in a detached session; a small wrapper prints its exit status
        when it ends and keeps the pane open (tmux's own dead-pane status is not reliable)."""
        extra = [f"{k}={v}" for k, v in (env or {}).items()]
        self._run("new-session", "-d", "-s", "main", "-x", str(self.cols), "-y", str(self.rows),
                  "/usr/bin/env", *extra, sys.executable, "-c", _WRAPPER, *argv)

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", "main").stdout

    def lines(self) -> list[str]:
        return self.screen().splitlines()

    def focused(self) -> tuple[int, str]:
        """The row of the cursor (urwid puts it on the focused widget) and that line's text,
        from one tmux command list, so both come from the same screen."""
        out = self._run("capture-pane", "-p", "-t", "main", ";", "display-message", "-p", "-t", "main",
                        "#{cursor_y}").stdout.splitlines()
        row = int(out[-1])
        return row, out[row] if row < len(out) - 1 else ""

    def send(self, *keys: str) -> None:
        for key in keys:
            self._run("send-keys", "-t", "main", key)

    def type(self, text: str) -> None:
        self._run("send-keys", "-t", "main", "-l", text)

    def resize(self, cols: int, rows: int) -> None:
        self.cols, self.rows = cols, rows
        self._run("resize-window", "-t", "main", "-x", str(cols), "-y", str(rows))

    def wait(self, predicate: Callable[[str], bool], timeout: float = 15, what: str = "") -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what or predicate}; the screen shows:\n{screen}")

    def wait_for(self, text: str, timeout: float = 15) -> str:
        return self.wait(lambda screen: text in screen, timeout, repr(text))

    def wait_gone(self, text: str, timeout: float = 15) -> str:
        return self.wait(lambda screen: text not in screen, timeout, f"{text!r} to go away")

    def exit_status(self, timeout: float = 15) -> int:
        """Wait for the program to end; its exit status."""
        screen = self.wait(lambda text: _EXITED.search(text) is not None, timeout, "the program to exit")
        match = _EXITED.search(screen)
        assert match is not None
        return int(match.group(1))

    def close(self) -> None:
        self._run("kill-server", check=False)


def setup_command(root: Path, *args: str) -> list[str]:
    """The installed `ovirt-node-setup` of this environment (or the module, from a bare tree)."""
    script = Path(sys.executable).parent / "ovirt-node-setup"
    base = [str(script)] if script.exists() else [sys.executable, "-m", "ovirt_node.cli.setup"]
    return [*base, "--root", str(root), "--machine", "demo", "--demo", *args]
