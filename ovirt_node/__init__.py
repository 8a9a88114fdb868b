"""ovirt-node: the on-host setup TUI, installer and config engine of a hypervisor node."""

PRODUCT_NAME = "oVirt Node"

#: The one place the version is set: pyproject.toml reads it from here (a literal, so
#: setuptools needs no import), and nothing at start-up pays for importlib.metadata.
__version__ = "4.0.0"
