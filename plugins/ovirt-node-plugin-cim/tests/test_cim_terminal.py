"""The CIM page in the real setup TUI (tmux, 80x24) on the demo node with this plugin
installed: enable it with a password for the user cim, Save, see the progress, F12 shows it enabled."""

from __future__ import annotations

import pytest

from ovirt_node.ui.testing import DemoNode
from tests.terminal.test_monitoring_performance_keyboard_pages import open_page, save_and_reload
from tests.terminal.tmux import TMUX, Tmux

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def test_cim_page(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "CIM")
    tmux.send("Tab", "Space")  # into the page: the checkbox, ticked
    tmux.wait_for("[X] Enable CIM")
    tmux.send("Down")
    tmux.wait_for("CIM needs a password")
    tmux.type("Demo-pass1")
    tmux.send("Down")
    tmux.type("Demo-pass1")
    tmux.wait_gone("CIM needs a password")
    tmux.send("Down")  # Save
    screen = save_and_reload(tmux, "Set the password of cim")
    assert "[X] Enable CIM" in screen
    tmux.wait_for("password set")  # the account's state is computed in a worker
    assert (node.root / "etc/systemd/system/multi-user.target.wants/sblim-sfcb.service").is_symlink()
