"""ovirt-node add-on: Puppet (the agent: its server, certname and run interval), registered only through
the `ovirt_node.plugins` entry point."""

from __future__ import annotations

from ovirt_node.api import Page, Section
from ovirt_node_puppet.config import Puppet
from ovirt_node_puppet.page import PuppetPage


class plugin:  # noqa: N801 - the entry point names this object
    @staticmethod
    def pages() -> list[type[Page]]:
        return [PuppetPage]

    @staticmethod
    def sections() -> list[Section]:
        return [Puppet()]
