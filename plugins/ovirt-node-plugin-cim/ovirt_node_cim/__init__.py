"""ovirt-node add-on: CIM (the sblim-sfcb CIM server and its `cim` user), registered only through
the `ovirt_node.plugins` entry point."""

from __future__ import annotations

from ovirt_node.api import Page, Section
from ovirt_node_cim.config import Cim
from ovirt_node_cim.page import CimPage


class plugin:  # noqa: N801 - the entry point names this object
    @staticmethod
    def pages() -> list[type[Page]]:
        return [CimPage]

    @staticmethod
    def sections() -> list[Section]:
        return [Cim()]
