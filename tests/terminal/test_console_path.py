"""The Status page's "Console path" in the real `ovirt-node-setup` in tmux at 80x24, on a copy
of the demo root (its boot menu written by the installer's writer): F1 names the action; the
dialog shows this boot's consoles and the menu's; a console the node lacks and an injected
argument are refused inline and nothing is written; a serial port with its speed is saved
into every entry of the menu, /dev/ dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.node_fixtures import changed_paths, snapshot
from tests.terminal.tmux import TMUX, Tmux, setup_command
from tests.terminal.walk import move_to

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

MENU = "boot/efi/grub/grub.cfg"


def flat(screen: str) -> str:
    """The screen's words in one line, the menu column and box sides dropped: text wrapped in
    a dialog reads whole."""
    rows = []
    for line in screen.splitlines():
        parts = line.split("│")
        rows.append(" ".join(parts[1:-1]) if len(parts) > 2 else parts[-1])
    return " ".join(" ".join(rows).split())


def wait_text(tmux: Tmux, text: str, timeout: float = 15) -> str:
    return tmux.wait(lambda screen: text in flat(screen), timeout, repr(text))


def open_dialog(tmux: Tmux, root: Path) -> str:
    tmux.start(setup_command(root), env={"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    tmux.send("Tab")
    move_to(tmux, "< Console path >")
    tmux.send("Enter")
    return tmux.wait_for("Console path:")


def retype(tmux: Tmux, text: str) -> None:
    move_to(tmux, "Console path:")
    tmux.send("End")
    for _ in range(40):
        tmux.send("BSpace")
    tmux.wait(lambda _s: tmux.focused()[1].split("Console path:", 1)[-1].strip(" │") == "", what="field cleared")
    tmux.type(text)
    tmux.wait(lambda _s: text in tmux.focused()[1], what=f"{text!r} typed")


def test_help_names_the_action(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), env={"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    tmux.send("F1")
    wait_text(tmux, "Console path sets the kernel console(s) of the next boot (such as ttyS0,115200n8)")


def test_bad_consoles_are_refused_inline_and_nothing_is_written(tmux: Tmux, demo_root: Path) -> None:
    before = snapshot(demo_root)
    screen = open_dialog(tmux, demo_root)
    assert "This boot: tty0" in screen  # the demo's /proc/cmdline
    assert all(len(line) <= 80 for line in screen.splitlines())
    retype(tmux, "ttyS7")
    wait_text(tmux, "no console device ttyS7 on this node")
    retype(tmux, "ttyS0 init=/bin/sh")
    wait_text(tmux, "'init=/bin/sh' is not a console device")
    move_to(tmux, "< Save >")
    tmux.send("Enter")  # OK stays disabled / refused: the dialog stays
    assert "Console path:" in tmux.screen()
    tmux.send("Escape")
    tmux.wait_gone("Console path:")
    assert changed_paths(before, snapshot(demo_root)) - {"/var/log/ovirt-node/setup.log"} == set()


def test_a_serial_console_is_saved_into_the_boot_menu(tmux: Tmux, demo_root: Path) -> None:
    open_dialog(tmux, demo_root)
    retype(tmux, "/dev/ttyS1,115200n8")
    move_to(tmux, "< Save >")
    tmux.send("Enter")
    wait_text(tmux, "The console path is now ttyS1,115200n8. It takes effect at the next boot.", timeout=30)
    menu = (demo_root / MENU).read_text()
    assert menu.count("'console=ttyS1,115200n8'") == 2 and "console=tty0" not in menu, menu
