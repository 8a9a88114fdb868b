"""The built-in demo node: a copy of the demo tree, its machine profile and a private D-Bus with mock daemons."""
