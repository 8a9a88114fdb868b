"""Fixtures: the main project's (a demo node tree, a private D-Bus) and the local HTTPS engine."""

from engine_server import engine_pki, fake_engine  # noqa: F401

from tests.dbus_env import private_bus, systemd_mock  # noqa: F401
from tests.node_fixtures import node_root  # noqa: F401
from tests.terminal.conftest import tmux  # noqa: F401
from tests.terminal.test_monitoring_performance_keyboard_pages import node  # noqa: F401 - the demo node
