"""The console budget of `make bench`: the setup TUI's first full screen (the Status page
with every value shown) against a minimal urwid app that draws one list, both as whole
processes in tmux at 80x24, started in turn (A B A B ...) so both see the same load.

Time runs from asking tmux for the session to the first capture of the finished screen;
memory is the process's peak resident size (VmHWM) at that moment. The ratios are taken
round by round and their medians printed against the budgets (1.2x time, 1.15x memory)."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ovirt_node.core.resources import copy_demo_root

TIME_BUDGET = 1.2
MEMORY_BUDGET = 1.15


def _tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "-f", "/dev/null", *args], capture_output=True, text=True,
                          check=True).stdout


def first_screen(argv: Sequence[str], done: Callable[[str], bool], env: dict[str, str]) -> tuple[float, int]:
    """Milliseconds until `done(screen)` holds, and the peak resident size (KiB) then."""
    socket = f"ovirt-node-bench-{time.monotonic_ns()}"
    start = time.perf_counter()
    # Several arguments: tmux execs the program itself (no shell), so the pane's pid is the program.
    _tmux(socket, "new-session", "-d", "-x", "80", "-y", "24", "/usr/bin/env", "-i",
          *(f"{k}={v}" for k, v in env.items()), *argv)
    try:
        deadline = start + 30
        while True:
            screen = _tmux(socket, "capture-pane", "-p")
            if done(screen):
                elapsed = (time.perf_counter() - start) * 1000
                break
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{argv[0]} did not show its first screen:\n{screen}")
            time.sleep(0.002)
        pid = _tmux(socket, "display-message", "-p", "#{pane_pid}").strip()
        status = Path(f"/proc/{pid}/status").read_text()
        peak = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)
    return elapsed, peak


def status_shown(screen: str) -> bool:
    """Every Status value is there: the host name in the header, the last value (Uptime) drawn
    and none still pending (…)."""
    head, _, body = screen.partition("\n")
    return "demo-node.example.com" in head and "Uptime " in body and "\u2026" not in body


def list_drawn(screen: str) -> bool:
    return "list-drawn" in screen and "Item 18" in screen


def console(rounds: int = 15) -> None:
    if shutil.which("tmux") is None:
        raise SystemExit("bench: tmux is needed for the console budget (make deps installs it)")
    setup = str(Path(sys.executable).parent / "ovirt-node-setup")
    env = {"TERM": "xterm-256color", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    minimal = [sys.executable, str(Path(__file__).with_name("bench_minimal_tui.py"))]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        copy_demo_root(root)
        tui = [setup, "--root", str(root), "--machine", "demo", "--demo"]
        first_screen(tui, status_shown, env)  # warm-up: byte-compiled modules, page cache
        first_screen(minimal, list_drawn, env)
        pairs = [(first_screen(tui, status_shown, env), first_screen(minimal, list_drawn, env))
                 for _ in range(rounds)]
    time_ratio = statistics.median(a[0] / b[0] for a, b in pairs)
    mem_ratio = statistics.median(a[1] / b[1] for a, b in pairs)
    tui_ms = statistics.median(a[0] for a, _ in pairs)
    app_ms = statistics.median(b[0] for _, b in pairs)
    tui_mib = statistics.median(a[1] for a, _ in pairs) / 1024
    app_mib = statistics.median(b[1] for _, b in pairs) / 1024
    print(f"console: first Status screen {tui_ms:6.1f} ms vs one-list urwid app {app_ms:6.1f} ms: "
          f"{time_ratio:.2f}x (budget {TIME_BUDGET}x)")
    print(f"console: peak memory {tui_mib:5.1f} MiB vs one-list urwid app {app_mib:5.1f} MiB: "
          f"{mem_ratio:.2f}x (budget {MEMORY_BUDGET}x)")


if __name__ == "__main__":
    console()
