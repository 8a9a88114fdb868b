"""The Network dialogs' edits of the model as pure functions: what a dialog's values turn into,
and what a removal takes along."""

from __future__ import annotations

from ovirt_node.network import edit
from ovirt_node.network.model import check_network, format_spec, parse_spec

BASE = "eth0:ipv4=dhcp,ipv6=auto"
BOND = ("eth1:master=bond0;eth2:master=bond0;bond0:type=bond,mode=active-backup,miimon=100,ipv4=none,ipv6=none;"
        "bond0.20:type=vlan,parent=bond0,id=20,ipv4=none,ipv6=none,master=brbond0.20;"
        "brbond0.20:type=bridge,ipv4=static,ip=192.0.2.10/24,ipv6=none")


def test_netmask_becomes_a_prefix_and_only_static_keeps_addresses() -> None:
    a = edit.addressing_from({"ipv4": "static", "ipv4.address": "192.0.2.10", "ipv4.prefix": "255.255.255.0",
                              "ipv4.gateway": "192.0.2.1"}, 4)
    assert (a.address, a.prefix, a.gateway) == ("192.0.2.10", 24, "192.0.2.1")
    assert edit.addressing_from({"ipv4": "dhcp", "ipv4.address": "192.0.2.10"}, 4).address == ""
    assert edit.addressing_from({"ipv4": "static", "ipv4.prefix": "255.0.255.0"}, 4).prefix is None
    assert edit.addressing_errors({"ipv6": "static"}) == {"ipv6.address": "a static address is needed",
                                                         "ipv6.prefix": "a prefix length is needed"}


def test_bridged_and_back_moves_the_addresses() -> None:
    network = parse_spec(BASE + ";eth2:ipv4=none,ipv6=none")
    values = {**edit.interface_values(network, "eth2"), "ipv4": "dhcp", "layout": "bridged", "vlans": "7"}
    bridged = edit.edit_interface(network, "eth2", values)
    assert format_spec(bridged) == ("breth2:type=bridge,ipv4=dhcp,ipv6=none;eth0:ipv4=dhcp,ipv6=auto;"
                                    "eth2:master=breth2;eth2.7:type=vlan,parent=eth2,id=7,ipv4=none,ipv6=none")
    assert check_network(bridged, ["eth0", "eth1", "eth2"]) == []
    back = edit.edit_interface(bridged, "eth2", {**edit.interface_values(bridged, "eth2"), "layout": "direct",
                                                 "vlans": ""})
    assert format_spec(back) == BASE + ";eth2:ipv4=dhcp,ipv6=none"


def test_removing_a_bond_takes_its_slaves_vlans_and_bridges() -> None:
    network = parse_spec(BASE + ";" + BOND)
    assert format_spec(edit.remove_iface(network, "bond0")) == BASE
    # the VLAN alone: its bridge (left without a port) goes too; the bond stays
    assert edit.remove_iface(network, "bond0.20").names() == ["bond0", "eth0", "eth1", "eth2"]
    # the bridge alone: its port stands alone again
    assert edit.remove_iface(network, "brbond0.20").get("bond0.20").master == ""  # type: ignore[union-attr]


def test_bond_options_only_where_the_mode_takes_them() -> None:
    values = {"bond.mode": "balance-rr", "bond.miimon": "100", "bond.lacp_rate": "fast",
              "bond.xmit_hash_policy": "layer3+4", "bond.primary": "eth1"}
    assert edit.bond_from(values).options() == "mode=balance-rr miimon=100"
    assert edit.bond_from({**values, "bond.mode": "802.3ad"}).options() == (
        "mode=802.3ad miimon=100 lacp_rate=fast xmit_hash_policy=layer3+4")
    assert edit.bond_from({**values, "bond.mode": "active-backup"}).options() == (
        "mode=active-backup miimon=100 primary=eth1")


def test_vlan_lists_and_duplicates() -> None:
    assert edit.vlan_list_errors("20, 30") is None
    assert edit.vlan_list_errors("20,4095") == "'4095' is not a VLAN ID from 1 to 4094"
    assert edit.vlan_list_errors("20,x") == "'x' is not a VLAN ID from 1 to 4094"
    network = parse_spec(BASE + ";" + BOND)
    assert edit.vlan_errors(network, {"vlan.parent": "bond0", "vlan.id": "20"}) == {
        "vlan.id": "VLAN 20 is already on bond0 (bond0.20)"}
    assert edit.vlan_errors(network, {"vlan.parent": "eth0", "vlan.id": "20"}) == {}
    assert edit.vlan_parents(network, ["eth0", "eth1", "eth2"]) == ["eth0", "bond0"]


def test_tree_hides_bond_slaves() -> None:
    assert edit.tree(parse_spec(BASE + ";" + BOND)).splitlines() == [
        "bond0 bond active-backup (eth1+eth2) [no address]",
        "bond0.20 VLAN 20 on bond0, in brbond0.20",
        "brbond0.20 bridge over bond0.20 [192.0.2.10/24]",
        "eth0 NIC [dhcp, auto]",
    ]


def test_the_removal_question_names_what_goes_and_a_node_left_without_network() -> None:
    network = parse_spec(BASE + ";" + BOND)
    assert edit.removal_question(network, "bond0") == (
        "Remove bond0? Its VLAN bond0.20 is removed with it. The bridge brbond0.20 is removed too. "
        "Its slaves eth1 and eth2 are left without a connection.")
    assert edit.removal_question(network, "eth0") == "Remove eth0?"  # the bridge keeps an address
    assert edit.removal_question(parse_spec(BASE), "eth0") == (
        "Remove eth0? It is the node's last connection: the node will have no network after Save.")
    assert edit.removal_question(parse_spec(BASE + ";eth1:ipv4=none,ipv6=none"), "eth0") == (
        "Remove eth0? It is the node's last connection with an address: the node will have no network after Save.")
