"""ovirt-node: the on-host setup TUI, installer and config engine of a hypervisor node."""

from importlib.metadata import PackageNotFoundError, version

PRODUCT_NAME = "oVirt Node"

try:
    __version__ = version("ovirt-node")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
