"""ovirt-node add-on: SNMP (net-snmp's snmpd with one SNMPv3 user), registered only through
the `ovirt_node.plugins` entry point."""

from __future__ import annotations

from ovirt_node.api import Page, Section
from ovirt_node_snmp.config import Snmp
from ovirt_node_snmp.page import SnmpPage


class plugin:  # noqa: N801 - the entry point names this object
    @staticmethod
    def pages() -> list[type[Page]]:
        return [SnmpPage]

    @staticmethod
    def sections() -> list[Section]:
        return [Snmp()]
