"""The oVirt Engine page in the real setup TUI (tmux, 80x24) on the demo node with this plugin
installed, against the local HTTPS engine: type its address, Retrieve certificate, accept the
fingerprint, Save (registers), see the progress; F12 shows the node managed by that engine."""

from __future__ import annotations

import pytest
from engine_server import FakeEngine

from ovirt_node.ui.testing import DemoNode
from tests.terminal.test_monitoring_performance_keyboard_pages import open_page, save_and_reload
from tests.terminal.tmux import TMUX, Tmux

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


def test_engine_page(tmux: Tmux, node: DemoNode, fake_engine: FakeEngine) -> None:
    open_page(tmux, node, "oVirt Engine")
    tmux.send("Tab")  # into the page: Management server
    tmux.type("127.0.0.1")
    tmux.send("Down", "End", "BSpace", "BSpace", "BSpace")  # Port: 443 out
    tmux.type(str(fake_engine.port))
    tmux.send("Down", "Enter")  # Retrieve certificate
    tmux.wait_for(fake_engine.fingerprint[:47])  # the dialog wraps the 95 characters
    tmux.send("Left", "Enter")  # OK (Cancel has the focus): accept
    tmux.wait_gone("Compare it with the engine")
    tmux.wait_gone("Retrieve the engine's certificate and accept it")
    tmux.send("Down", "Down", "Down", "Down")  # CA fingerprint (three lines when wrapped), Save
    save_and_reload(tmux, "Register the node with the engine")
    tmux.wait_for(f"oVirt Engine https://127.0.0.1:{fake_engine.port}")  # the status, computed in a worker
    assert len(fake_engine.registrations) == 1
    assert (node.root / "etc/pki/vdsm/certs/cacert.pem").read_text() == fake_engine.ca_pem
