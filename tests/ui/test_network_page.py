"""The Network page through PageHarness on a copy of the demo node: bad input is an inline error
and writes nothing; a bond of two NICs with a VLAN and static IPv4+IPv6 is saved as keyfiles and
defaults; a managed node's page is read-only with a notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.setup.network_page import NetworkPage
from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.node_fixtures import changed_paths, snapshot

KEYFILES = "etc/NetworkManager/system-connections"


def harness(root: Path) -> PageHarness:
    ctx = page_context(root)
    return PageHarness(NetworkPage, ctx, ui=FakeUI(ctx, apply=True))


@pytest.mark.parametrize(("key", "value", "message"), [
    ("network.ip.netmask", "255.0.255.0", "an IPv4 netmask such as"),
    ("network.hostname", "node_1.example.com", "a host name (e.g. node1"),
    ("network.hostname", "a" * 64 + ".example.com", "a host name (e.g. node1"),
    ("network.vlan", "5000", "a VLAN ID from 1 to 4094"),
    ("network.dns", "192.0.2.1,192.0.2.999", "'192.0.2.999' must be an IPv4 or IPv6 address"),
])
def test_bad_input_is_an_inline_error_and_nothing_is_written(node_root: Path, key: str, value: str,
                                                             message: str) -> None:
    h = harness(node_root)
    h.choose("network.bootproto", "static")
    h.type(key, value)
    assert message in h.error(key) and not h.save_enabled
    before = snapshot(node_root)
    h.save()
    assert h.ui.transactions == [] and changed_paths(before, snapshot(node_root)) == set()


def test_management_nic_cannot_join_a_bond(node_root: Path) -> None:
    h = harness(node_root)
    h.type("network.bond.name", "bond0")
    h.choose("network.bond.slaves", "eth0")
    h.choose("network.bond.slaves", "eth1")
    before = snapshot(node_root)
    h.save()
    assert "eth0 is the management NIC in use" in h.error("network.bootif")
    assert changed_paths(before, snapshot(node_root)) == set()


def test_bond_vlan_static_v4_v6(node_root: Path) -> None:
    h = harness(node_root)
    h.type("network.bond.name", "bond0")
    h.type("network.bond.options", "mode=802.3ad miimon=100 lacp_rate=fast")
    h.choose("network.bond.slaves", "eth1")
    h.choose("network.bond.slaves", "eth2")
    h.type("network.vlan", "20")
    h.choose("network.bootproto", "static")
    h.type("network.ip.address", "192.0.2.10")
    h.type("network.ip.netmask", "255.255.255.0")
    h.type("network.ip.gateway", "198.51.100.1")
    assert "outside the subnet 192.0.2.0/24" in h.text()  # a warning: Save stays possible
    h.type("network.ip.gateway", "192.0.2.1")
    h.choose("network.ipv6", "static")
    h.type("network.ipv6.address", "2001:db8::10")
    h.type("network.ipv6.netmask", "64")
    assert h.save_enabled
    h.save()
    assert h.ui.results == [True]
    vlan = (node_root / KEYFILES / "bond0.20.nmconnection").read_text()
    assert "address1=192.0.2.10/24\ngateway=192.0.2.1" in vlan and "address1=2001:db8::10/64" in vlan
    assert "lacp_rate=fast" in (node_root / KEYFILES / "bond0.nmconnection").read_text()
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_BOOTIF="bond0"' in defaults and 'OVIRT_BOND_SLAVES="eth1,eth2"' in defaults
    assert "slave of bond0" in h.text() and "bond0.20 on bond0" in h.text()


def test_managed_node_is_read_only(node_root: Path) -> None:
    defaults = node_root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text() + 'MANAGED_BY="engine.example.com"\n')
    h = harness(node_root)
    assert "managed by engine.example.com" in h.text()
    assert not h.enabled("network.hostname") and not h.enabled("network.bootif")
