"""The demo node `make demo` runs on: its bus performs restarts and power actions."""

from __future__ import annotations

import shutil

import pytest

from ovirt_node.demo.node import demo_node
from ovirt_node.system.logind import Logind
from tests.node_fixtures import run_config

pytestmark = pytest.mark.skipif(shutil.which("dbus-daemon") is None, reason="dbus-daemon is not installed")


def test_demo_node_restarts_units_on_its_own_bus() -> None:
    with demo_node() as node:
        result = run_config("--root", str(node.root), "--bus", node.bus, "set",
                            "ssh.port=2222", "logging.rsyslog.server=log.example.com")
        assert result.returncode == 0, result.stderr
        assert "Restart ssh.service: done" in result.stdout
        assert "Restart rsyslog.service: done" in result.stdout
        with Logind.connect(node.bus) as logind:
            assert logind.can_reboot() == "yes"
        root = node.root
    assert not root.exists()  # the copy is removed afterwards
