"""Edits of the network model the Network page's dialogs make, as pure functions: the
dialogs' fields <-> the model, and the rules each dialog shows next to its fields.

A dialog edits the page's pending connections (the `network.interfaces` value not yet
saved); the page's Save applies them in one checkpointed transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ovirt_node.network.model import (
    Addressing,
    Bond,
    Iface,
    Network,
    bridge_name,
    check_change,
    gateway_warning,
    netmask_to_prefix,
    prefix_to_netmask,
)

Values = Mapping[str, str]


# --------------------------------------------------------------------------- addressing fields

def addressing_values(a: Addressing, family: int) -> dict[str, str]:
    """The dialog's `ipv4`, `ipv4.address`, `ipv4.prefix`, `ipv4.gateway` (or ipv6...)."""
    key = f"ipv{family}"
    prefix = "" if a.prefix is None else str(a.prefix)
    return {key: a.method, f"{key}.address": a.address, f"{key}.prefix": prefix, f"{key}.gateway": a.gateway}


def addressing_from(values: Values, family: int) -> Addressing:
    """The fields -> Addressing; a netmask (IPv4) becomes its prefix length. Only the static
    method keeps an address."""
    key = f"ipv{family}"
    method = values.get(key, "none") or "none"
    if method != "static":
        return Addressing(method)
    text = values.get(f"{key}.prefix", "").strip()
    try:
        prefix = netmask_to_prefix(text) if family == 4 else int(text) if text.isdigit() else None
    except ValueError:
        prefix = None
    address, gateway = values.get(f"{key}.address", "").strip(), values.get(f"{key}.gateway", "").strip()
    return Addressing(method, address, prefix, gateway)


def addressing_errors(values: Values) -> dict[str, str]:
    """A static method needs its address and prefix (the fields' own rules judge their text)."""
    errors = {}
    for family in (4, 6):
        key = f"ipv{family}"
        if values.get(key) == "static":
            if not values.get(f"{key}.address", "").strip():
                errors[f"{key}.address"] = "a static address is needed"
            if not values.get(f"{key}.prefix", "").strip():
                errors[f"{key}.prefix"] = "a prefix length" + (" or netmask" if family == 4 else "") + " is needed"
    return errors


def gateway_warnings(values: Values) -> str:
    warnings = [w for family in (4, 6) if (w := gateway_warning(f"IPv{family}", addressing_from(values, family)))]
    return "Warning: " + "; ".join(warnings) if warnings else ""


def netmask_text(a: Addressing) -> str:
    return prefix_to_netmask(a.prefix) if a.prefix is not None else ""


# --------------------------------------------------------------------------- one interface

def top_of(network: Network, name: str) -> Iface:
    """Where the addresses of `name` live: its bridge in the bridged layout, else itself."""
    iface = network.get(name) or Iface(name)
    master = network.get(iface.master) if iface.master else None
    return master if master is not None and master.kind == "bridge" else iface


def vlan_ids(text: str) -> list[int]:
    return [int(v) for v in (p.strip() for p in text.split(",")) if v.isdigit()]


def vlan_list_errors(text: str) -> str | None:
    seen: set[int] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        if not part.isdigit() or not 1 <= int(part) <= 4094:
            return f"{part!r} is not a VLAN ID from 1 to 4094"
        if int(part) in seen:
            return f"VLAN {part} is given twice"
        seen.add(int(part))
    return None


def interface_values(network: Network, name: str) -> dict[str, str]:
    iface = network.get(name) or Iface(name)
    top = top_of(network, name)
    return {
        **addressing_values(top.ipv4, 4), **addressing_values(top.ipv6, 6),
        "mtu": "" if iface.mtu is None else str(iface.mtu),
        "vlans": ",".join(str(v.vlan_id) for v in network.children(name)),
        "layout": "bridged" if top is not iface else "direct",
    }


def new_bridge_name(network: Network, iface: Iface) -> str:
    """br + the NIC or bond (3.x), also over a VLAN; br + the VLAN's own name only when that
    is taken by another connection (a second bridged VLAN on the same bond)."""
    name = bridge_name(iface.name, iface.parent if iface.kind == "vlan" else "")
    return name if network.get(name) is None else bridge_name(iface.name)


def edit_interface(network: Network, name: str, values: Values, kind: str = "ethernet") -> Network:
    """`network` with `name` addressed, sized and laid out as the dialog says; VLANs no longer
    listed go (with what sits on them), new IDs become VLANs without addresses."""
    iface = network.get(name) or Iface(name, kind)
    mtu = values.get("mtu", "").strip()
    v4, v6 = addressing_from(values, 4), addressing_from(values, 6)
    bridge = top_of(network, name)
    bridged = bridge.name != name
    if values.get("layout") == "bridged":
        bridge = bridge if bridged else Iface(new_bridge_name(network, iface), "bridge")
        network = network.put(bridge._replace(ipv4=v4, ipv6=v6))
        iface = iface._replace(master=bridge.name, ipv4=Addressing(), ipv6=Addressing())
    else:
        if bridged:
            network = network.without(bridge.name)
        iface = iface._replace(master="" if bridged else iface.master, ipv4=v4, ipv6=v6)
    network = network.put(iface._replace(mtu=int(mtu) if mtu.isdigit() else None))
    wanted = vlan_ids(values.get("vlans", ""))
    for child in network.children(name):
        if child.vlan_id not in wanted:
            network = remove_iface(network, child.name)
    have = {c.vlan_id for c in network.children(name)}
    for vid in (v for v in wanted if v not in have):
        network = network.put(Iface(f"{name}.{vid}", "vlan", vlan_id=vid, parent=name))
    return network


def remove_iface(network: Network, name: str) -> Network:
    """`network` without `name` and what depends on it: its VLANs, a bond's slaves, a bridge
    left without ports. The ports of a removed bridge stand alone again."""
    gone = {name}
    grew = True
    while grew:
        grew = False
        for i in network.ifaces:
            if i.name in gone:
                continue
            master = network.get(i.master) if i.master else None
            bond_slave = master is not None and master.kind == "bond" and master.name in gone
            empty_bridge = i.kind == "bridge" and all(p in gone for p in network.slaves(i.name))
            if (i.kind == "vlan" and i.parent in gone) or bond_slave or empty_bridge:
                gone.add(i.name)
                grew = True
    rest = network.without(*gone)
    return Network(tuple(i._replace(master="") if i.master in gone else i for i in rest.ifaces))


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _went(noun: str, names: list[str], rest: str) -> str:
    """`Its VLAN bond0.20 is ...` / `Its VLANs bond0.20 and bond0.30 are ...`."""
    return f"{noun}{'s' if len(names) > 1 else ''} {_names(names)} {'are' if len(names) > 1 else 'is'} {rest}"


def removal_question(network: Network, name: str) -> str:
    """What Remove asks first: the connections that go with `name` (named), and whether the
    node is left without network."""
    after = remove_iface(network, name)
    gone = [i for i in network.ifaces if i.name != name and after.get(i.name) is None]
    parts = [f"Remove {name}?"]
    vlans = [i.name for i in gone if i.kind == "vlan"]
    bridges = [i.name for i in gone if i.kind == "bridge"]
    slaves = [i.name for i in gone if i.master == name and i.kind not in ("vlan", "bridge")]
    if vlans:
        parts.append(_went("Its VLAN", vlans, "removed with it."))
    if bridges:
        parts.append(_went("The bridge", bridges, "removed too."))
    if slaves:
        parts.append(_went("Its slave", slaves, "left without a connection."))
    # A node whose remaining connections have no address is as cut off as one with none.
    if not after.ifaces:
        parts.append("It is the node's last connection: the node will have no network after Save.")
    elif any(i.addressed for i in network.ifaces) and not any(i.addressed for i in after.ifaces):
        parts.append("It is the node's last connection with an address: the node will have no network after Save.")
    return " ".join(parts)


# --------------------------------------------------------------------------- bonds and VLANs

def free_bond_name(network: Network) -> str:
    return next(f"bond{n}" for n in range(1000) if network.get(f"bond{n}") is None)


def bond_from(values: Values) -> Bond:
    mode = values.get("bond.mode", "active-backup")
    miimon = values.get("bond.miimon", "").strip()
    return Bond(mode, int(miimon) if miimon.isdigit() else None,
                values.get("bond.lacp_rate", "") if mode == "802.3ad" else "",
                values.get("bond.xmit_hash_policy", "") if mode in ("balance-xor", "802.3ad", "balance-tlb") else "",
                values.get("bond.primary", "").strip() if mode == "active-backup" else "")


def slaves_of(values: Values) -> list[str]:
    return [s for s in values.get("bond.slaves", "").split(",") if s]


def add_bond(network: Network, values: Values) -> Network:
    name = values.get("bond.name", "").strip()
    network = network.put(Iface(name, "bond", addressing_from(values, 4), addressing_from(values, 6)))
    return edit_bond(network, name, values)


def bond_values(network: Network, name: str) -> dict[str, str]:
    b = (network.get(name) or Iface(name)).bond or Bond()
    return {"bond.mode": b.mode, "bond.miimon": "" if b.miimon is None else str(b.miimon),
            "bond.lacp_rate": b.lacp_rate or "slow", "bond.xmit_hash_policy": b.xmit_hash_policy,
            "bond.primary": b.primary, "bond.slaves": ",".join(network.slaves(name)) if name else ""}


def edit_bond(network: Network, name: str, values: Values) -> Network:
    """The bond's options and slaves as the dialog says; NICs no longer marked stand alone
    (their connections go)."""
    wanted = slaves_of(values)
    network = network.without(*(s for s in network.slaves(name) if s not in wanted))
    bond = network.get(name) or Iface(name, "bond")
    network = network.put(bond._replace(bond=bond_from(values)))
    for slave in wanted:
        network = network.put(Iface(slave, master=name))
    return network


def bond_errors(network: Network, values: Values, editing: str = "") -> dict[str, str]:
    """Inline rules of the bond dialogs: a new name (when creating), at least one free slave
    (not a slave of another bond, not the management NIC in use), a primary among the slaves."""
    errors = addressing_errors(values)
    name = editing or values.get("bond.name", "").strip()
    if not editing and name and network.get(name) is not None:
        errors["bond.name"] = f"{name} exists already"
    slaves = slaves_of(values)
    if not slaves:
        errors["bond.slaves"] = "pick at least one NIC"
    elif name:
        problems = check_change(network, edit_bond(network, name, values))
        if problems:
            errors["bond.slaves"] = "; ".join(problems)
    primary = bond_from(values).primary
    if primary and primary not in slaves:
        errors["bond.primary"] = f"{primary} is not one of the slaves picked"
    return errors


def vlan_errors(network: Network, values: Values) -> dict[str, str]:
    errors = addressing_errors(values)
    parent, vid = values.get("vlan.parent", ""), values.get("vlan.id", "").strip()
    if not parent:
        errors["vlan.parent"] = "pick the NIC or bond the VLAN runs on"
    if vid.isdigit():
        other = next((c.name for c in network.children(parent) if c.vlan_id == int(vid)), None)
        if other is not None:
            errors["vlan.id"] = f"VLAN {vid} is already on {parent} ({other})"
    return errors


def add_vlan(network: Network, values: Values) -> Network:
    parent, vid = values["vlan.parent"], int(values["vlan.id"])
    if network.get(parent) is None:
        network = network.put(Iface(parent, "bond" if parent.startswith("bond") else "ethernet"))
    return network.put(Iface(f"{parent}.{vid}", "vlan", addressing_from(values, 4), addressing_from(values, 6),
                             vlan_id=vid, parent=parent))


def vlan_parents(network: Network, nics: Iterable[str]) -> list[str]:
    """NICs that are no bond's slave, and the bonds."""
    slaves = {i.name for i in network.ifaces if is_bond_slave(network, i)}
    bonds = [i.name for i in network.ifaces if i.kind == "bond"]
    return [n for n in nics if n not in slaves] + bonds


# --------------------------------------------------------------------------- the tree

def describe(network: Network, iface: Iface) -> str:
    """One connection in a line: `bond0.20 VLAN 20 on bond0 [192.0.2.10/24, 2001:db8::10/64]`."""
    what = {"bond": f"bond {iface.bond.mode if iface.bond else ''} ({'+'.join(network.slaves(iface.name))})",
            "vlan": f"VLAN {iface.vlan_id} on {iface.parent}",
            "bridge": f"bridge over {'+'.join(network.slaves(iface.name))}"}.get(iface.kind, "NIC")
    if iface.master:
        return f"{iface.name} {what}, in {iface.master}"
    shown = []
    for a in (iface.ipv4, iface.ipv6):
        shown.append(f"{a.address}/{a.prefix}" if a.method == "static" else a.method if a.method != "none" else "")
    return f"{iface.name} {what} [{', '.join(s for s in shown if s) or 'no address'}]"


def is_bond_slave(network: Network, iface: Iface) -> bool:
    return bool(iface.master) and (network.get(iface.master) or Iface("")).kind == "bond"


def tree(network: Network) -> str:
    """Every connection but bond slaves, one per line."""
    lines = [describe(network, i) for i in network.ifaces if not is_bond_slave(network, i)]
    return "\n".join(lines) or "none"
