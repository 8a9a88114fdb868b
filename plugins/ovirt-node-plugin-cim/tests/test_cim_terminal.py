"""The CIM page in the real setup TUI (tmux, 80x24) on the demo node, a Debian node, with this
plugin installed: the page says that no CIM server exists for Debian and offers no field.
(Enabling CIM, on an EL node, is tested through PageHarness and the engine.)"""

from __future__ import annotations

import pytest
from ovirt_node_cim.config import NO_CIMOM

from ovirt_node.ui.testing import DemoNode
from tests.terminal.test_monitoring_performance_keyboard_pages import open_page
from tests.terminal.tmux import TMUX, Tmux

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def test_cim_page_on_a_debian_node(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "CIM")
    screen = tmux.wait_for("No CIM server exists for Debian nodes")
    # The page's column (right of the menu's rule), its wrapped lines joined.
    page = " ".join(" ".join(line.split("│", 1)[1] for line in screen.splitlines() if "│" in line).split())
    assert NO_CIMOM in page
    assert "Enable CIM" not in screen
    assert not (node.root / "etc/systemd/system/multi-user.target.wants/sblim-sfcb.service").exists()
