"""The Status page of `make demo`'s node in tmux at 80x24: the DHCP interface's live address,
as NetworkManager (the demo's, on its private D-Bus) shows the lease."""

from __future__ import annotations

import pytest

from ovirt_node.demo.node import DEMO_LEASE, DemoNode
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def test_the_dhcp_interface_shows_its_lease(tmux: Tmux, demo: DemoNode) -> None:
    tmux.start(setup_command(demo.root, "--bus", demo.bus), {"TERM": "xterm-256color"})
    screen = tmux.wait_for(f"eth0 (link up): {DEMO_LEASE} (DHCP)")
    assert "Running VMs" in screen and "configured: eth0" not in screen
