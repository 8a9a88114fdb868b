"""The Security and Logging pages in the real `ovirt-node-setup` (tmux, 80x24, the demo node):
change values, Save, watch the progress dialog, F12, and the page shows the new values read
back from the files. The admin password typed on the Security page ends up in nothing but
/etc/shadow's hash: not in setup.log, not in any other file under the root."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.shadow import files_containing, shadow_fields, verifies
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

PASSWORD = "Tmux-Typed-Secret-62"


def shown_page(screen: str) -> str:
    lines = screen.splitlines()
    return lines[1].split("\u2502", 1)[-1].strip() if len(lines) > 1 else ""


def open_page(tmux: Tmux, title: str, marker: str) -> None:
    """Walk the menu down to `title` (whatever other pages are installed) and enter the page."""
    screen = tmux.wait_for("Running VMs")
    for _ in range(20):
        current = shown_page(screen)
        if current == title:
            break
        tmux.send("Down")
        screen = tmux.wait(lambda s, c=current: shown_page(s) != c, what="the next page")  # type: ignore[misc]
    tmux.wait_for(marker)
    tmux.send("Tab")  # from the menu into the page: its first field


def save_and_reload(tmux: Tmux, step: str) -> str:
    tmux.wait_gone("No changes to save")
    tmux.send("Enter")
    tmux.wait_for(step)
    tmux.wait_for("Done: ")
    tmux.send("Enter")  # Close
    tmux.wait_gone("Done: ")
    tmux.send("F12")
    tmux.wait_for("from the system")
    # Values computed in workers (the account line) show as an ellipsis until they arrive.
    return tmux.wait(lambda screen: "\u2026" not in screen.split("\n", 1)[1], what="the reloaded values")


def test_security_page_saves_port_and_password(tmux: Tmux, demo_root: Path) -> None:
    old_hash = shadow_fields(demo_root)[1]
    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color"})
    open_page(tmux, "Security", "Remote access")
    tmux.send("Down")  # SSH port
    tmux.send("End", "BSpace", "BSpace")
    tmux.type("80")
    tmux.wait_for("port 80 is in the reserved range")  # a warning, not an error
    tmux.send("BSpace", "BSpace")
    tmux.type("2222")
    tmux.wait_gone("reserved range")
    tmux.send("Down", "Down", "Down", "Down")  # SSH keys, bytes used, AES-NI, new password
    tmux.type(PASSWORD)
    tmux.wait_for("Strength: ")
    tmux.send("Down")  # confirmation
    tmux.type(PASSWORD)
    tmux.send("Down")  # Save
    screen = save_and_reload(tmux, "Set the password of admin: done")
    assert "SSH port:          2222" in screen
    assert "last changed" in screen
    assert "Port 2222" in (demo_root / "etc/ssh/sshd_config").read_text()
    new_hash = shadow_fields(demo_root)[1]
    assert new_hash != old_hash and verifies(PASSWORD, new_hash)
    log = (demo_root / "var/log/ovirt-node/setup.log").read_text()
    assert "run: chpasswd --root" in log and "transaction 'Save Security'" in log
    assert files_containing(demo_root, PASSWORD) == []


def test_logging_page_saves_rotation_and_remote_syslog(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color"})
    open_page(tmux, "Logging", "Max log size (KB)")
    tmux.send("End", "BSpace", "BSpace", "BSpace", "BSpace")
    tmux.type("2048")
    tmux.send("Down", "Down", "Down", "Enter")  # Daily, Weekly, Monthly: pick it
    tmux.send("Down")  # rsyslog server
    tmux.type("log.example.com")
    tmux.wait_for("Server port:       514")
    tmux.send("Down", "Down", "Down", "Down")  # port, UDP, TCP, netconsole server (its port is off)
    tmux.send("Down")  # Save
    screen = save_and_reload(tmux, "Configure remote syslog: done")
    assert "Max log size (KB): 2048" in screen and "Server address:    log.example.com" in screen
    assert "(\u2022) Monthly" in screen
    assert "log.example.com:514" in (demo_root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
    assert "maxsize 2048k" in (demo_root / "etc/logrotate.d/ovirt-node").read_text()
