"""ovirt-node add-on: oVirt Engine registration (3.x: ovirt-node-plugin-vdsm), registered only through
the `ovirt_node.plugins` entry point."""

from __future__ import annotations

from ovirt_node.api import Page, Section
from ovirt_node_vdsm.config import EngineRegistration
from ovirt_node_vdsm.page import EnginePage


class plugin:  # noqa: N801 - the entry point names this object
    @staticmethod
    def pages() -> list[type[Page]]:
        return [EnginePage]

    @staticmethod
    def sections() -> list[Section]:
        return [EngineRegistration()]
