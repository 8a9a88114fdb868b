"""The Status page's "Reset configuration" in tmux at 80x24, on a copy of the demo root whose
admin has a real password hash: the dialog says what is kept and what goes; a wrong password
or a wrong word keeps it open and writes nothing; the right ones reset the node."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.system.accounts import crypt
from tests.node_fixtures import changed_paths, snapshot
from tests.terminal.tmux import TMUX, Tmux, setup_command
from tests.terminal.walk import move_to

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

PASSWORD = "Reset-me 2026"


def configured(root: Path) -> None:
    """The admin gets a password (a SHA-512 hash in shadow) and two settings change."""
    shadow = root / "etc/shadow"
    hashed = crypt(PASSWORD, "$6$h26resetsalt$")
    shadow.write_text("".join(f"admin:{hashed}:20000:0:99999:7:::\n" if line.startswith("admin:") else line + "\n"
                              for line in shadow.read_text().splitlines()))
    subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root), "set",
                    "logging.logrotate.interval=weekly", "nfsv4.domain=example.org"], check=True, capture_output=True)


def open_dialog(tmux: Tmux, root: Path) -> str:
    tmux.start(setup_command(root), env={"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    tmux.send("Tab")
    move_to(tmux, "Reset configuration")
    tmux.send("Enter")
    return tmux.wait_for("Type RESET:")


def answer(tmux: Tmux, password: str, word: str) -> None:
    move_to(tmux, "Password of admin:")
    tmux.type(password)
    stars = "*" * len(password)
    tmux.wait(lambda _s: stars in tmux.focused()[1], what="the password typed")
    move_to(tmux, "Type RESET:")
    tmux.type(word)
    tmux.wait(lambda _s: word in tmux.focused()[1].split("Type RESET:", 1)[-1], what="the word typed")
    move_to(tmux, "< Reset >")
    tmux.send("Enter")


def test_the_dialog_says_what_goes_and_refuses_a_wrong_password_or_word(tmux: Tmux, demo_root: Path) -> None:
    configured(demo_root)
    before = snapshot(demo_root)
    screen = open_dialog(tmux, demo_root)
    assert "Every setting goes back to the image's defaults" in screen
    assert "Kept: the management network and DNS, the host name" in screen
    answer(tmux, "not it", "RESET")
    tmux.wait_for("not the password of admin")
    tmux.send("Escape")
    tmux.wait_gone("Type RESET:")
    move_to(tmux, "Reset configuration", key="Up")
    tmux.send("Enter")
    tmux.wait_for("Type RESET:")
    answer(tmux, PASSWORD, "reset")
    tmux.wait_for("type RESET (in capitals) to confirm")
    assert changed_paths(before, snapshot(demo_root)) - {"/var/log/ovirt-node/setup.log"} == set()


def test_the_right_password_and_word_reset_the_node(tmux: Tmux, demo_root: Path) -> None:
    configured(demo_root)
    open_dialog(tmux, demo_root)
    answer(tmux, PASSWORD, "RESET")
    tmux.wait_for("The configuration was reset", timeout=30)
    defaults = (demo_root / "etc/default/ovirt").read_text()
    assert "weekly" not in defaults and 'OVIRT_LOGROTATE_INTERVAL="daily"' in defaults
    assert "example.org" not in (demo_root / "etc/idmapd.conf").read_text()
    assert "Restart the node" in tmux.screen()
