"""The main project's fixtures (a demo node tree, a private D-Bus with mock systemd)."""

from tests.dbus_env import private_bus, systemd_mock  # noqa: F401
from tests.node_fixtures import node_root  # noqa: F401
