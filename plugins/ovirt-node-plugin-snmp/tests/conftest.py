"""The main project's fixtures: a demo node tree, a private D-Bus with mock systemd, the demo node
(its mock systemd knows this plugin's units too) and tmux at 80x24."""

from tests.dbus_env import private_bus, systemd_mock  # noqa: F401
from tests.node_fixtures import node_root  # noqa: F401
from tests.terminal.conftest import tmux  # noqa: F401
from tests.terminal.test_monitoring_performance_keyboard_pages import node  # noqa: F401 - the demo node
