"""The SNMP page in the real setup TUI (tmux, 80x24) on the demo node with this plugin
installed: enable it with a password, Save, see the progress, F12 shows it enabled."""

from __future__ import annotations

import pytest

from ovirt_node.ui.testing import DemoNode
from tests.terminal.test_monitoring_performance_keyboard_pages import open_page, save_and_reload
from tests.terminal.tmux import TMUX, Tmux

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def test_snmp_page(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "SNMP")
    tmux.send("Tab", "Space")  # into the page: the checkbox, ticked
    tmux.wait_for("[X] Enable SNMP")
    tmux.send("Down")
    tmux.wait_for("SNMP needs a password")
    tmux.type("Demo-pass1")
    tmux.send("Down")
    tmux.type("Demo-pass1")
    tmux.wait_gone("SNMP needs a password")
    tmux.send("Down")  # Save
    screen = save_and_reload(tmux, "Write the SNMPv3 user root")
    assert "[X] Enable SNMP" in screen
    tmux.wait_for("SNMPv3 user        root (SHA, AES)")  # computed in a worker
    assert "createUser root SHA" in (node.root / "var/lib/snmp/snmpd.conf").read_text()
