pytest_plugins = ["tests.dbus_env", "tests.node_fixtures", "tests.skips"]
