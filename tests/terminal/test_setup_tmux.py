"""The real `ovirt-node-setup` in tmux at 80x24: rich (xterm-256color) and basic (vt100).

Every menu entry is walked, a dialog opened and closed, the terminal shrunk below 80x24 and
back, the page reloaded with F12, and the program left with Esc and its confirmation. In
basic mode the raw output (recorded with `script`) must be 7-bit ASCII, escapes included.
"""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path

import pytest

from ovirt_node import PRODUCT_NAME
from ovirt_node.ui.page import sort_pages
from ovirt_node.ui.plugins import discover
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

MENU_COLS = 16


def page_title_line(screen: str) -> str:
    """The right-hand side of the first body line: the shown page's title."""
    lines = screen.splitlines()
    return lines[1].split("\u2502" if "\u2502" in lines[1] else "|", 1)[-1].strip() if len(lines) > 1 else ""


def walk(tmux: Tmux, ellipsis: str) -> None:
    titles = [p.title for p in sort_pages(discover().pages)]
    assert titles, "no pages are registered"
    screen = tmux.wait_for("demo-node.example.com")
    assert PRODUCT_NAME in screen.splitlines()[0]
    assert "Esc quit" in screen.splitlines()[-1]
    for index, title in enumerate(titles):
        if index:
            tmux.send("Down")
        tmux.wait(lambda s, t=title: page_title_line(s) == t, what=f"page {title!r}")  # type: ignore[misc]
    tmux.wait(lambda s: ellipsis not in s.split("\n", 1)[1], what="the page's values")

    tmux.send("F8")
    tmux.wait(lambda s: page_title_line(s) == "Support", what="the support page")
    tmux.send("Enter")  # the first log: this program's own, in the viewer
    tmux.wait_for("Log setup.log")
    tmux.type("/starting")
    tmux.send("Enter")
    screen = tmux.wait_for(" of ")
    assert "starting: root" in screen and "not found" not in screen
    tmux.send("Escape")
    tmux.wait_gone("Log setup.log")

    tmux.resize(60, 20)
    tmux.wait_for("Terminal too small: need 80x24, have 60x20")
    tmux.resize(80, 24)
    tmux.wait_for("demo-node.example.com")
    tmux.wait_gone("Terminal too small")

    tmux.send("F12")
    tmux.wait_for("from the system")

    tmux.send("Escape")
    tmux.wait_for(f"Leave the {PRODUCT_NAME} setup?")
    tmux.send("Left", "Enter")
    assert tmux.exit_status() == 0


def shell_round_trip(tmux: Tmux) -> None:
    """F2, confirm, a real shell on the terminal, `exit`, and the UI is back."""
    tmux.send("F2")
    tmux.wait_for("Open a shell?")
    tmux.send("Left", "Enter")
    tmux.wait_gone("demo-node.example.com")
    tmux.type("echo inside-the-$((6*7))-shell")
    tmux.send("Enter")
    tmux.wait_for("inside-the-42-shell")
    tmux.type("exit")
    tmux.send("Enter")
    tmux.wait_for("demo-node.example.com")
    tmux.wait_for("F12 reload")


def test_rich_mode_at_80x24(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color", "SHELL": "/bin/sh", "PS1": "$ "})
    tmux.wait_for("\u2502")  # Unicode line drawing in rich mode
    shell_round_trip(tmux)
    walk(tmux, "\u2026")
    log = (demo_root / "var/log/ovirt-node/setup.log").read_text()
    assert "starting: root" in log and "dialog: Log setup.log" in log and "finished" in log
    assert "opening a shell: /bin/sh" in log and "shell closed" in log


def test_basic_mode_on_a_vt100_emits_only_ascii(tmux: Tmux, demo_root: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw.out"
    # `script` records every byte the program writes to its terminal, escapes included.
    command = ["script", "-q", "-f", "-e", "-c", shlex.join(setup_command(demo_root, "--basic")), str(raw)]
    tmux.start(command, {"TERM": "vt100"})
    screen = tmux.wait_for("demo-node.example.com")
    assert "|" in screen and "F4 rich" in screen
    walk(tmux, "...")
    data = raw.read_bytes()
    assert b"demo-node.example.com" in data and b"Terminal too small" in data, "the program's output was not recorded"
    bad = sorted({b for b in data if b >= 0x80})
    assert not bad, f"non-ASCII bytes in basic mode: {[hex(b) for b in bad]}"


def test_lock_screen_needs_the_admin_password(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), env={"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    tmux.send("Tab")  # into the Status page: the first button
    tmux.send("Down", "Down", "Down", "Down", "Enter")  # SSH host keys, CPU details, Test network, Console path, Lock
    tmux.wait_for("oVirt Node is locked")
    tmux.send("F8", "Escape", "F2")  # no hotkey gets past the lock
    screen = tmux.wait_for("Enter the password of admin to unlock.")
    assert "Status" not in screen
    tmux.type("wrong")
    tmux.send("Enter")
    tmux.wait_for("Wrong password. Try again.")
    tmux.type("demo")  # the demo authenticator's password (PAM on a real node)
    tmux.send("Enter")
    tmux.wait_for("Running VMs")
    tmux.wait_gone("oVirt Node is locked")


def test_ctrl_c_and_ctrl_z_do_not_leave_the_lock_screen(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), env={"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    tmux.send("Tab")
    tmux.send("Down", "Down", "Down", "Down", "Enter")  # SSH host keys, CPU details, Test network, Console path, Lock
    tmux.wait_for("oVirt Node is locked")
    tmux.send("C-c", "C-z", "C-\\")
    time.sleep(1)  # what a signal would do, it would have done by now
    screen = tmux.screen()
    assert "oVirt Node is locked" in screen and "EXITED" not in screen, screen
    tmux.type("demo")  # still running, not stopped: the password unlocks it
    tmux.send("Enter")
    tmux.wait_for("Running VMs")
    tmux.send("C-c")  # unlocked, Ctrl-C ends the setup as before, without a traceback
    assert tmux.exit_status() == 0
    assert "Traceback" not in tmux.screen()


def test_ctrl_c_under_make_demo_ends_it_without_a_traceback(tmux: Tmux) -> None:
    tmux.start([sys.executable, "-m", "ovirt_node.cli.demo"], env={"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs", timeout=60)
    tmux.send("C-c")
    assert tmux.exit_status(timeout=30) == 0
    assert "Traceback" not in tmux.screen()
