"""The Puppet page in the real setup TUI (tmux, 80x24) on the demo node with this plugin
installed: enable the agent with a server, Save, see the progress, F12 shows the values."""

from __future__ import annotations

import pytest

from ovirt_node.ui.testing import DemoNode
from tests.terminal.test_monitoring_performance_keyboard_pages import open_page, save_and_reload
from tests.terminal.tmux import TMUX, Tmux

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def test_puppet_page(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "Puppet")
    tmux.send("Tab", "Space")  # into the page: the checkbox, ticked
    tmux.wait_for("the agent needs a Puppet server")
    tmux.send("Down")
    tmux.type("puppet.example.com")
    tmux.wait_gone("the agent needs a Puppet server")
    tmux.send("Down", "Down", "Down")  # Certname, Run interval, Save
    screen = save_and_reload(tmux, "Configure the Puppet agent")
    assert "[X] Enable the Puppet agent" in screen and "puppet.example.com" in screen
    assert "server=puppet.example.com" in (node.root / "etc/puppet/puppet.conf").read_text()
