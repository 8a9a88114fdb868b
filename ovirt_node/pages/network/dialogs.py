"""The Network page's dialogs: an interface (Enter on a NIC or bond/VLAN row, or Edit), Create
bond, Add VLAN, Remove, Ping, and "Flash lights to identify".

Each dialog edits the page's pending connections (`network.interfaces`, saved by the page's
Save) and shows its rules next to its fields; OK with a problem left changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from ovirt_node.core.platform import detect
from ovirt_node.core.run import Runner
from ovirt_node.core.valid import (
    BondName,
    Empty,
    FQDNOrIP,
    IPv4Address,
    IPv4Netmask,
    IPv4Prefix,
    IPv6Address,
    IPv6Prefix,
    Number,
    VlanId,
)
from ovirt_node.network import edit
from ovirt_node.network.model import (
    BOND_MODES,
    HASHED_MODES,
    LACP_RATES,
    XMIT_HASH_POLICIES,
    Iface,
    Network,
    check_network,
)
from ovirt_node.pages.network.context import NetworkContext
from ovirt_node.system.machine.model import Nic
from ovirt_node.ui.form import FORM_KEY
from ovirt_node.ui.page import (
    Button,
    Checkbox,
    Choice,
    Divider,
    EnabledWhen,
    Entry,
    FormSpec,
    Item,
    KeyValue,
    Notice,
    PageContext,
    Row,
    Table,
    Values,
)

V4 = (("none", "Disabled"), ("dhcp", "DHCP"), ("static", "Static"))
V6 = (("none", "Disabled"), ("auto", "Automatic"), ("dhcp", "DHCPv6"), ("static", "Static"))
LAYOUTS = (("direct", "Direct"), ("bridged", "Bridged (a management bridge over it)"))
IDENTIFY_SECONDS = 10
#: Seconds between the demo's simulated blinks (tests set 0).
DEMO_TICK = 1.0
PING_DEFAULT_COUNT = "3"


def _when(key: str, *wanted: str) -> EnabledWhen:
    return lambda values: values.get(key) in wanted


def addressing_items() -> list[Item]:
    """IPv4 and IPv6: method, then address, prefix (or netmask) and gateway when static."""
    static4, static6 = _when("ipv4", "static"), _when("ipv6", "static")
    return [
        Choice("ipv4", "IPv4:", options=V4),
        Entry("ipv4.address", "IPv4 address:", validator=Empty() | IPv4Address(), enabled_when=static4),
        Entry("ipv4.prefix", "Prefix or netmask:", validator=Empty() | IPv4Prefix() | IPv4Netmask(),
              enabled_when=static4, help="a prefix length (24) or a netmask (255.255.255.0)"),
        Entry("ipv4.gateway", "IPv4 gateway:", validator=Empty() | IPv4Address(), enabled_when=static4),
        Choice("ipv6", "IPv6:", options=V6),
        Entry("ipv6.address", "IPv6 address:", validator=Empty() | IPv6Address(), enabled_when=static6),
        Entry("ipv6.prefix", "IPv6 prefix:", validator=Empty() | IPv6Prefix(), enabled_when=static6),
        Entry("ipv6.gateway", "IPv6 gateway:", validator=Empty() | IPv6Address(), enabled_when=static6),
        Notice(edit.gateway_warnings),
    ]


def _accept(net: NetworkContext, network: Network, management: str | None = None) -> dict[str, str]:
    """Hand `network` to the page, or the rules it breaks (shown under the dialog's fields)."""
    problems = check_network(network, net.nic_names())
    if problems:
        return {FORM_KEY: "; ".join(problems)}
    net.set_pending(network, management)
    return {}


def _management(name: str, values: Values, was: bool = False) -> str | None:
    """The management interface after a dialog's checkbox: `name` when ticked, none when it
    was ticked when the dialog opened and is no more, unchanged otherwise."""
    if values.get("management") == "yes":
        return name
    return "" if was else None


# --------------------------------------------------------------------------- an interface

def nic_details(ctx: PageContext, nic: Nic) -> list[Item]:
    speed = f"{nic.speed_mbps} Mb/s" if nic.speed_mbps else "unknown"
    return [
        KeyValue("Driver", lambda _c: nic.driver or "unknown"),
        KeyValue("Bus info", lambda _c: nic.bus_info or "unknown"),
        KeyValue("MAC", lambda _c: nic.mac),
        KeyValue("Permanent MAC", lambda c: permanent_mac(c, nic)),
        KeyValue("Link", lambda _c: "detected" if nic.link else "not detected"),
        KeyValue("Speed", lambda _c: speed),
    ]


def permanent_mac(ctx: PageContext, nic: Nic) -> str:
    """What is burnt into the card (a bond slave shows its bond's address otherwise)."""
    if ctx.root.is_host and not ctx.demo:
        out = ctx.runner([detect(ctx.root).tool("ethtool"), "-P", nic.name], check=False, timeout=10).stdout
        found = out.partition("Permanent address:")[2].strip()
        if found:
            return found
    perm = ctx.root(f"/sys/class/net/{nic.name}/bonding_slave/perm_hwaddr")
    return perm.read_text().strip() if perm.exists() else nic.mac


def open_interface(net: NetworkContext, name: str) -> None:
    """Enter on a row of the NIC table: its details and editable connection."""
    ctx = net.page
    network = net.pending()
    iface = network.get(name) or Iface(name)
    nic = ctx.machine.nic(name)
    master = network.get(iface.master) if iface.master else None
    slave_of = master.name if master is not None and master.kind == "bond" else ""
    items: list[Item] = nic_details(ctx, nic) if nic is not None else [
        KeyValue("Kind", lambda _c: edit.describe(network, iface))]
    if nic is not None:
        items.append(Button("Flash lights to identify", lambda _u: identify(net, name)))
    items.append(Divider())
    if slave_of:
        items.append(Notice(lambda _v: f"{name} is a slave of {slave_of}: configure {slave_of} "
                            "(Enter on its row), or Remove the bond first."))
        values: dict[str, str] = {}
    else:
        items += [*addressing_items(), Entry("mtu", "MTU:", validator=Empty() | Number(68, 65535))]
        values = edit.interface_values(network, name)
        if iface.kind == "bond":
            items += bond_items(network)
            values.update(edit.bond_values(network, name))
        if iface.kind != "vlan":
            items += [Entry("vlans", "VLAN IDs:", help="comma-separated; new ones start without addresses "
                            "(Add VLAN gives one its own)"),
                      Checkbox("management", "Management interface (OVIRT_BOOTIF)")]
            values["management"] = "yes" if net.management() == name else "no"
        items.append(Choice("layout", "Layout:", options=LAYOUTS))
    was = values.get("management") == "yes"

    def check(v: Values) -> dict[str, str]:
        if slave_of:
            return {}
        problem = edit.vlan_list_errors(v.get("vlans", ""))
        bond = edit.bond_errors(network, v, name) if iface.kind == "bond" else {}
        return {**edit.addressing_errors(v), **bond, **({"vlans": problem} if problem else {})}

    def ok(v: Values) -> Mapping[str, str]:
        if slave_of:
            return {}
        changed = edit.edit_interface(network, name, v, iface.kind)
        if iface.kind == "bond":
            changed = edit.edit_bond(changed, name, v)
        return _accept(net, changed, _management(name, v, was) if iface.kind != "vlan" else None)

    net.ui.open_form(FormSpec(f"Interface {name}", items, values, ok, check))


def identify(net: NetworkContext, nic: str) -> None:
    """`ethtool --identify NIC 10` in a worker. The demo machine's NICs are simulated: the
    call is recorded (dry run) and the dialog blinks instead."""
    ctx = net.page
    argv = [detect(ctx.root).tool("ethtool"), "--identify", nic, str(IDENTIFY_SECONDS)]
    real = ctx.root.is_host and not ctx.demo
    runner = ctx.runner if real else Runner(dry_run=True)

    def work(emit: Callable[[str], bool]) -> str:
        emit(f"Flashing the lights of {nic} for {IDENTIFY_SECONDS} s: look for the blinking port.")
        runner(argv, timeout=IDENTIFY_SECONDS + 10)
        if not real:
            emit(f"(Demo machine: '{' '.join(argv)}' is recorded, not run: its NICs are simulated.)")
            for left in range(IDENTIFY_SECONDS, 0, -1):
                if not emit(f"{nic}: {'*' if left % 2 else 'o'} blinking, {left} s left"):
                    return ""
                time.sleep(DEMO_TICK)
        return f"Done: {nic} flashed its lights for {IDENTIFY_SECONDS} s."

    net.ui.stream(f"Identify {nic}", work)


# --------------------------------------------------------------------------- bond, VLAN, remove

def slave_rows(network: Network, ctx: PageContext) -> list[Row]:
    rows = []
    for nic in ctx.machine.physical_nics():
        iface = network.get(nic.name)
        status = (f"in {iface.master}" if iface and iface.master else
                  "in use" if iface and (iface.addressed or network.children(nic.name)) else "free")
        rows.append(Row(nic.name, [nic.name, status, nic.mac, "link" if nic.link else "no link"]))
    return rows


def bond_items(network: Network) -> list[Item]:
    """Slaves, mode and the options of the mode (the others greyed out)."""
    return [
        Table("bond.slaves", "Slaves (Enter marks):", columns=("Device", "Status", "MAC", "Link"), multi=True,
              rows=lambda c: slave_rows(network, c), height=4),
        Choice("bond.mode", "Mode:", options=[(m, m) for m in BOND_MODES]),
        Entry("bond.miimon", "MII monitor (ms):", validator=Empty() | Number(0, 100000)),
        Choice("bond.lacp_rate", "LACP rate:", options=[(r, r) for r in LACP_RATES],
               enabled_when=_when("bond.mode", "802.3ad")),
        Choice("bond.xmit_hash_policy", "Transmit hash:",
               options=[("", "default"), *((p, p) for p in XMIT_HASH_POLICIES)],
               enabled_when=_when("bond.mode", *HASHED_MODES)),
        Entry("bond.primary", "Primary slave:", enabled_when=_when("bond.mode", "active-backup")),
    ]


def create_bond(net: NetworkContext) -> None:
    network = net.pending()
    items: list[Item] = [
        Entry("bond.name", "Name:", validator=BondName()),
        *bond_items(network),
        *addressing_items(),
        Checkbox("management", "Management interface (OVIRT_BOOTIF)"),
    ]
    values = {"bond.name": edit.free_bond_name(network), **edit.bond_values(network, ""),
              "ipv4": "none", "ipv6": "none", "management": "no"}

    def ok(v: Values) -> Mapping[str, str]:
        name = v["bond.name"].strip()
        return _accept(net, edit.add_bond(network, v), _management(name, v))

    net.ui.open_form(FormSpec("Create bond", items, values, ok, lambda v: edit.bond_errors(network, v)))


def add_vlan(net: NetworkContext) -> None:
    network = net.pending()
    parents = edit.vlan_parents(network, net.nic_names())
    items: list[Item] = [
        Choice("vlan.parent", "On:", options=[(p, p) for p in parents]),
        Entry("vlan.id", "VLAN ID:", validator=VlanId()),
        *addressing_items(),
        Checkbox("management", "Management network (its NIC or bond is OVIRT_BOOTIF)"),
    ]
    values = {"vlan.parent": parents[0] if parents else "", "vlan.id": "", "ipv4": "none", "ipv6": "none",
              "management": "no"}

    def ok(v: Values) -> Mapping[str, str]:
        return _accept(net, edit.add_vlan(network, v), _management(v["vlan.parent"], v))

    net.ui.open_form(FormSpec("Add VLAN", items, values, ok, lambda v: edit.vlan_errors(network, v)))


def _pick(net: NetworkContext, title: str, ok_label: str, act: Callable[[str], Mapping[str, str]]) -> None:
    """A dialog listing the pending connections (no bond slaves, no bridges: those go with
    their bond or port); OK hands the one picked to `act`."""
    network = net.pending()
    rows = [Row(i.name, [edit.describe(network, i)]) for i in network.ifaces
            if i.kind != "bridge" and not edit.is_bond_slave(network, i)]
    items: list[Item] = [Table("connection", "Connection:", columns=("Connection",), rows=lambda _c: rows, height=8)]

    def ok(v: Values) -> Mapping[str, str]:
        name = v.get("connection", "")
        return act(name) if name else {"connection": "pick a connection"}

    net.ui.open_form(FormSpec(title, items, {"connection": ""}, ok, ok_label=ok_label))


def remove(net: NetworkContext) -> None:
    """Remove asks first, naming what goes with the connection (a bond's VLANs, bridges) and
    whether the node is left without network; only Yes changes the pending connections."""

    def act(name: str) -> Mapping[str, str]:
        network = net.pending()
        changed = edit.remove_iface(network, name)
        problems = check_network(changed, net.nic_names())
        if problems:
            return {FORM_KEY: "; ".join(problems)}
        management = net.management()
        gone = "" if management and changed.get(management) is None else None
        net.ui.confirm(f"Remove {name}", edit.removal_question(network, name),
                       lambda: net.set_pending(changed, gone))
        return {}

    _pick(net, "Remove a connection", "Remove", act)


def edit_connection(net: NetworkContext) -> None:
    """Any pending connection's dialog, before Save too (the table lists what is saved)."""

    def act(name: str) -> Mapping[str, str]:
        open_interface(net, name)
        return {}

    _pick(net, "Edit a connection", "Edit", act)


# --------------------------------------------------------------------------- ping

def ping(net: NetworkContext) -> None:
    """Address and count, then `ping` in a worker with its output streamed into a dialog."""
    ctx = net.page
    values = ctx.engine.values(["network"])
    target = next((t for t in (values["network.ip.gateway"], values["network.ipv6.gateway"],
                               *values["network.dns"].split(",")) if t), "")
    items: list[Item] = [Entry("ping.address", "Address:", validator=FQDNOrIP()),
                         Entry("ping.count", "Count:", validator=Number(1, 100))]

    def ok(v: Values) -> Mapping[str, str]:
        address, count = v["ping.address"].strip(), v["ping.count"].strip()
        runner = ctx.runner

        def work(emit: Callable[[str], bool]) -> str:
            emit(f"$ ping -c {count} {address}")
            argv = [detect(ctx.root).tool("ping"), "-c", count, "-W", "2", address]
            code = runner.stream(argv, emit, timeout=int(count) * 3 + 10)
            return "Done." if code == 0 else f"ping ended with status {code}."

        net.ui.stream(f"Ping {address}", work)
        return {}

    net.ui.open_form(FormSpec("Ping", items, {"ping.address": target, "ping.count": PING_DEFAULT_COUNT},
                                          ok, ok_label="Ping"))
