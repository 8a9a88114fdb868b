"""The network model: the node's connections as typed values, their rules, and their text form.

One `Iface` per NetworkManager connection (ethernet NIC, bond, VLAN, bridge). A bond slave or
bridge port names its `master` and has no addressing of its own. The model is what the
keyfiles hold (see `keyfile.py`), what the TUI edits, and what the `network.interfaces` key
spells in a compact text form:

    eth0:ipv4=dhcp,ipv6=auto;eth1:master=bond0;eth2:master=bond0;
    bond0:type=bond,mode=802.3ad,miimon=100,lacp_rate=fast,ipv4=none,ipv6=none;
    bond0.20:type=vlan,parent=bond0,id=20,ipv4=static,ip=192.0.2.10/24,gw=192.0.2.1

The 3.x keys (`OVIRT_BOOTIF`, `OVIRT_IP_*`, `OVIRT_VLAN`, `OVIRT_BOND_*`, `OVIRT_NETWORK_LAYOUT`)
describe one stack of it, the management one: `ManagementStack` maps between the two.

The connections are named tuples (immutable, equal by value, `_replace` for a changed copy),
not dataclasses: the Status page reads them before the first screen, and each dataclass
costs the start its generated methods' compiles (ManagementStack is a frozen record).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.core.record import Record
from ovirt_node.system.machine.model import natural_key

if TYPE_CHECKING:
    from ovirt_node.core.valid import Validator

KINDS = ("ethernet", "bond", "vlan", "bridge")
#: Most slaves of one bond: the kernel takes more, but no server has more NICs to bond.
MAX_BOND_SLAVES = 32
#: Most connections in `network.connections`; each one is a keyfile and an activation.
MAX_CONNECTIONS = 256
IPV4_METHODS = ("none", "dhcp", "static")
IPV6_METHODS = ("none", "auto", "dhcp", "static")
BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb")
LACP_RATES = ("slow", "fast")
XMIT_HASH_POLICIES = ("layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac")
#: Modes whose slave choice uses the transmit hash (the kernel ignores it in the others).
HASHED_MODES = ("balance-xor", "802.3ad", "balance-tlb")
#: 3.x's default bond (rhbz#1094842).
DEFAULT_BOND_OPTIONS = "mode=active-backup miimon=100"
IFNAMSIZ = 15
_IFNAME_RE = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"


class Addressing(NamedTuple):
    """One address family of a connection: the method and, for `static`, one address."""

    method: str = "none"
    address: str = ""
    prefix: int | None = None
    gateway: str = ""


class Bond(NamedTuple):
    mode: str = "active-backup"
    miimon: int | None = 100
    lacp_rate: str = ""
    xmit_hash_policy: str = ""
    primary: str = ""

    def options(self) -> str:
        """The kernel's BONDING_OPTS spelling (3.x's OVIRT_BOND_OPTIONS)."""
        parts = [f"mode={self.mode}"]
        if self.miimon is not None:
            parts.append(f"miimon={self.miimon}")
        parts += [f"{k}={v}" for k, v in (("lacp_rate", self.lacp_rate), ("xmit_hash_policy", self.xmit_hash_policy),
                                            ("primary", self.primary)) if v]
        return " ".join(parts)


def parse_bond_options(text: str) -> Bond:
    """`mode=4 miimon=100` (spaces or commas) -> Bond; numbers of modes become names. The
    options the model keeps are these five; BondOptions validates the text first."""
    values = dict(pair.partition("=")[::2] for pair in re.split(r"[ ,]+", text.strip()) if pair)
    mode = values.get("mode", "active-backup")
    if mode.isdigit() and int(mode) < len(BOND_MODES):
        mode = BOND_MODES[int(mode)]
    rate = values.get("lacp_rate", "")
    if rate.isdigit() and int(rate) < len(LACP_RATES):
        rate = LACP_RATES[int(rate)]
    policy = values.get("xmit_hash_policy", "")
    if policy.isdigit() and int(policy) < len(XMIT_HASH_POLICIES):
        policy = XMIT_HASH_POLICIES[int(policy)]
    miimon = values.get("miimon")
    return Bond(mode, int(miimon) if miimon and miimon.isdigit() else None, rate, policy, values.get("primary", ""))


class Iface(NamedTuple):
    name: str
    kind: str = "ethernet"
    ipv4: Addressing = Addressing()
    ipv6: Addressing = Addressing()
    mtu: int | None = None
    #: The bond or bridge this interface is a slave/port of ("" when it stands alone).
    master: str = ""
    bond: Bond | None = None
    vlan_id: int | None = None
    parent: str = ""

    @property
    def addressed(self) -> bool:
        return self.ipv4.method != "none" or self.ipv6.method != "none"


class Network(NamedTuple):
    """Every configured connection, by interface name (ordered naturally)."""

    ifaces: tuple[Iface, ...] = ()

    def get(self, name: str) -> Iface | None:
        return next((i for i in self.ifaces if i.name == name), None)

    def names(self) -> list[str]:
        return [i.name for i in self.ifaces]

    def slaves(self, master: str) -> list[str]:
        return [i.name for i in self.ifaces if i.master == master]

    def children(self, parent: str) -> list[Iface]:
        return [i for i in self.ifaces if i.kind == "vlan" and i.parent == parent]

    def put(self, iface: Iface) -> Network:
        """This network with `iface` added or replaced."""
        others = [i for i in self.ifaces if i.name != iface.name]
        return Network(tuple(sorted([*others, iface], key=lambda i: natural_key(i.name))))

    def without(self, *names: str) -> Network:
        return Network(tuple(i for i in self.ifaces if i.name not in names))


# --------------------------------------------------------------------------- the text form

_V4 = {"none", "dhcp", "static"}


def _address(text: str, family: int) -> tuple[str, int | None]:
    address, _, prefix = text.partition("/")
    if not prefix.isdigit():
        raise ValueError(f"{text!r}: give the address with its prefix length (e.g. "
                         f"{'192.0.2.10/24' if family == 4 else '2001:db8::10/64'})")
    return address, int(prefix)


def _addressing(opts: Mapping[str, str], family: int) -> Addressing:
    suffix = "" if family == 4 else "6"
    method = opts.get(f"ipv{family}", "none")
    address, prefix = ("", None)
    if opts.get(f"ip{suffix}"):
        address, prefix = _address(opts[f"ip{suffix}"], family)
    return Addressing(method, address, prefix, opts.get(f"gw{suffix}", ""))


_KNOWN_OPTS = {"type", "ipv4", "ip", "gw", "ipv6", "ip6", "gw6", "mtu", "master", "mode", "miimon", "lacp_rate",
               "xmit_hash_policy", "primary", "id", "parent"}


def parse_spec(text: str) -> Network:
    """The `network.interfaces` text -> Network; ValueError names the bad part."""
    ifaces: dict[str, Iface] = {}
    chunks = [c.strip() for c in text.split(";") if c.strip()]
    if len(chunks) > MAX_CONNECTIONS:  # the checks below grow faster than the list
        raise ValueError(f"at most {MAX_CONNECTIONS} connections, not {len(chunks)}")
    for chunk in chunks:
        if not chunk:
            continue
        name, _, rest = chunk.partition(":")
        name = name.strip()
        if not name:
            raise ValueError(f"{chunk!r}: an interface name comes first (e.g. eth0:ipv4=dhcp)")
        if name in ifaces:
            raise ValueError(f"{name} is given twice")
        opts: dict[str, str] = {}
        for pair in (p for p in rest.split(",") if p.strip()):
            key, eq, value = pair.strip().partition("=")
            if not eq or key not in _KNOWN_OPTS:
                raise ValueError(f"{name}: {pair.strip()!r} is not one of {', '.join(sorted(_KNOWN_OPTS))} =value")
            if key in opts:
                raise ValueError(f"{name}: {key} is given twice")
            opts[key] = value
        kind = opts.get("type", "ethernet")
        for number in ("mtu", "id", "miimon"):
            if opts.get(number) and not opts[number].isdigit():
                raise ValueError(f"{name}: {number} must be a whole number, not {opts[number]!r}")
        bond = None
        if kind == "bond":
            miimon = opts.get("miimon")
            bond = Bond(opts.get("mode", "active-backup"), int(miimon) if miimon else None,
                        opts.get("lacp_rate", ""), opts.get("xmit_hash_policy", ""), opts.get("primary", ""))
        ifaces[name] = Iface(
            name, kind, _addressing(opts, 4), _addressing(opts, 6),
            int(opts["mtu"]) if opts.get("mtu") else None, opts.get("master", ""), bond,
            int(opts["id"]) if opts.get("id") else None, opts.get("parent", ""),
        )
    return Network(tuple(sorted(ifaces.values(), key=lambda i: natural_key(i.name))))


def _addressing_text(a: Addressing, family: int) -> list[str]:
    suffix = "" if family == 4 else "6"
    parts = [f"ipv{family}={a.method}"]
    if a.address:
        parts.append(f"ip{suffix}={a.address}/{a.prefix}")
    if a.gateway:
        parts.append(f"gw{suffix}={a.gateway}")
    return parts


#: Texts format_spec made, with the network each stands for: a value the node or a dialog
#: already holds typed crosses the string-valued engine and form without being parsed again.
_FORMATTED: OrderedDict[str, Network] = OrderedDict()
_FORMATTED_MAX = 32
_FORMATTED_LOCK = threading.Lock()  # page workers format too


def _as_parsed(network: Network) -> Network | None:
    """`network` as parse_spec would give it back from its text, or None when the text would
    not parse back (a static address without a prefix)."""
    ifaces = []
    for i in sorted(network.ifaces, key=lambda i: natural_key(i.name)):
        if any(a.address and a.prefix is None for a in (i.ipv4, i.ipv6)):
            return None
        if i.master:
            i = i._replace(ipv4=Addressing(), ipv6=Addressing())
        if i.kind != "bond":
            i = i._replace(bond=None)
        if i.kind != "vlan":
            i = i._replace(vlan_id=None, parent="")
        ifaces.append(i)
    return Network(tuple(ifaces))


def network_from_text(text: str) -> Network:
    """The network a `network.interfaces` text stands for: the one it was formatted from
    when this process formatted it, else parse_spec (a CLI value, the defaults file)."""
    known = _FORMATTED.get(text)
    if known is not None:
        return known
    if not text.strip():
        return Network()
    return parse_spec(text)


def format_spec(network: Network) -> str:
    """The canonical text of a network (parse_spec(format_spec(n)) == n)."""
    text = _format(network)
    parsed = _as_parsed(network)
    if parsed is not None:
        with _FORMATTED_LOCK:
            _FORMATTED[text] = parsed
            _FORMATTED.move_to_end(text)
            while len(_FORMATTED) > _FORMATTED_MAX:
                _FORMATTED.popitem(last=False)
    return text


def _format(network: Network) -> str:
    chunks = []
    for i in network.ifaces:
        parts: list[str] = []
        if i.kind != "ethernet":
            parts.append(f"type={i.kind}")
        if i.kind == "vlan":
            parts += [f"parent={i.parent}", f"id={i.vlan_id}"]
        if i.bond is not None:
            b = i.bond
            parts.append(f"mode={b.mode}")
            parts += [f"{k}={v}" for k, v in (("miimon", "" if b.miimon is None else str(b.miimon)),
                                                ("lacp_rate", b.lacp_rate), ("xmit_hash_policy", b.xmit_hash_policy),
                                                ("primary", b.primary)) if v]
        if i.master:
            parts.append(f"master={i.master}")
        else:
            parts += _addressing_text(i.ipv4, 4) + _addressing_text(i.ipv6, 6)
        if i.mtu is not None:
            parts.append(f"mtu={i.mtu}")
        chunks.append(f"{i.name}:{','.join(parts)}")
    return ";".join(chunks)


# --------------------------------------------------------------------------- the rules

class _Rules(NamedTuple):
    ipv4: Validator
    ipv6: Validator
    vlan: Validator
    bond_options: Validator


@functools.cache
def _rules() -> _Rules:
    """The validators the checks use, made at the first check: reading a network (the Status
    page's first screen) needs none of core/valid.py."""
    from ovirt_node.core.valid import BondOptions, IPv4Address, IPv6Address, VlanId

    return _Rules(IPv4Address(), IPv6Address(), VlanId(), BondOptions())


def check_ifname(name: str) -> str | None:
    if not re.fullmatch(_IFNAME_RE, name) or name in (".", ".."):
        return f"{name!r} is not an interface name (letters, digits, '.', '-' and '_')"
    if len(name) > IFNAMSIZ:
        return f"{name!r} is longer than the kernel's {IFNAMSIZ} characters for an interface name"
    return None


def _check_addressing(name: str, a: Addressing, family: int) -> list[str]:
    methods = IPV4_METHODS if family == 4 else IPV6_METHODS
    label = f"{name}: IPv{family}"
    if a.method not in methods:
        return [f"{label} method must be one of {', '.join(methods)}, not {a.method!r}"]
    rule, top = (_rules().ipv4, 32) if family == 4 else (_rules().ipv6, 128)
    errors: list[str] = []
    if a.method == "static":
        if not a.address:
            return [f"{label}: a static address is needed"]
        problem = rule.check(a.address)
        if problem:
            errors.append(f"{label} address {problem}")
        if a.prefix is None or not 1 <= a.prefix <= top:
            errors.append(f"{label} prefix must be from 1 to {top}")
    elif a.address or a.gateway:
        errors.append(f"{label}: an address or gateway is only set with the static method")
    if a.gateway:
        problem = rule.check(a.gateway)
        if problem:
            errors.append(f"{label} gateway {problem}")
    return errors


def gateway_warning(name: str, a: Addressing) -> str | None:
    """A warning (not an error: a routed gateway on another subnet is possible with a device
    route) when the gateway lies outside the static address's subnet."""
    if a.method != "static" or not a.gateway or not a.address or a.prefix is None:
        return None
    try:
        net = ipaddress.ip_interface(f"{a.address}/{a.prefix}").network
        gateway = ipaddress.ip_address(a.gateway)
        # A link-local IPv6 gateway (fe80::1, what routers announce) is on every link.
        outside = gateway not in net and not (gateway.version == 6 and gateway.is_link_local)
    except ValueError:
        return None
    return f"{name}: the gateway {a.gateway} is outside the subnet {net}" if outside else None


def _check_bond(i: Iface, slaves: list[str]) -> list[str]:
    b = i.bond or Bond()
    errors = []
    problem = _rules().bond_options.check(b.options())
    if b.mode not in BOND_MODES:
        errors.append(f"{i.name}: mode must be one of {', '.join(BOND_MODES)}")
    elif problem:
        errors.append(f"{i.name}: {problem}")
    if b.lacp_rate and b.mode != "802.3ad":
        errors.append(f"{i.name}: lacp_rate only applies to mode 802.3ad")
    if b.xmit_hash_policy and b.mode not in HASHED_MODES:
        errors.append(f"{i.name}: xmit_hash_policy only applies to modes {', '.join(HASHED_MODES)}")
    if b.primary and b.mode != "active-backup":
        errors.append(f"{i.name}: primary only applies to mode active-backup")
    if b.primary and b.primary not in slaves:
        errors.append(f"{i.name}: the primary {b.primary} is not one of its slaves")
    if not slaves:
        errors.append(f"{i.name}: a bond needs at least one slave")
    if len(slaves) > MAX_BOND_SLAVES:
        errors.append(f"{i.name}: at most {MAX_BOND_SLAVES} slaves per bond, not {len(slaves)}")
    return errors


def check_network(network: Network, nics: Iterable[str] | None = None) -> list[str]:
    """Every rule the connections break together, as messages (empty: fine).

    `nics` are the physical NIC names of the machine when known: ethernet connections and
    bond slaves must be among them."""
    known = set(nics) if nics is not None else None
    by_name = {i.name: i for i in network.ifaces}
    errors: list[str] = []
    vlan_ids: dict[tuple[str, int], str] = {}
    for i in network.ifaces:
        problem = check_ifname(i.name)
        if problem:
            errors.append(problem)
            continue
        if i.kind not in KINDS:
            errors.append(f"{i.name}: type must be one of {', '.join(KINDS)}")
            continue
        if i.mtu is not None and not 68 <= i.mtu <= 65535:
            errors.append(f"{i.name}: MTU must be from 68 to 65535")
        if i.kind == "ethernet" and known is not None and i.name not in known:
            errors.append(f"{i.name}: no such NIC on this machine")
        if i.master:
            master = by_name.get(i.master)
            if master is None or master.kind not in ("bond", "bridge"):
                errors.append(f"{i.name}: its master {i.master} is not a configured bond or bridge")
            if i.addressed:
                errors.append(f"{i.name}: a slave of {i.master} has no addresses of its own")
            if i.kind != "ethernet" and master is not None and master.kind == "bond":
                errors.append(f"{i.name}: only NICs can be bond slaves")
        else:
            errors += _check_addressing(i.name, i.ipv4, 4) + _check_addressing(i.name, i.ipv6, 6)
        if i.kind == "bond":
            errors += _check_bond(i, network.slaves(i.name))
        if i.kind == "vlan":
            if i.vlan_id is None or _rules().vlan.check(str(i.vlan_id)):
                errors.append(f"{i.name}: the VLAN ID must be from 1 to 4094")
            parent = by_name.get(i.parent)
            if parent is None:
                errors.append(f"{i.name}: its parent {i.parent or '(none)'} is not configured")
            elif parent.master and by_name.get(parent.master, Iface("")).kind == "bond":
                errors.append(f"{i.name}: {i.parent} is a slave of {parent.master}: put the VLAN on the bond")
            if i.vlan_id is not None:
                other = vlan_ids.setdefault((i.parent, i.vlan_id), i.name)
                if other != i.name:
                    errors.append(f"{i.name}: VLAN {i.vlan_id} is already on {i.parent} ({other})")
        if i.kind == "bridge" and not network.slaves(i.name):
            errors.append(f"{i.name}: a bridge needs a port")
    return errors


def check_change(old: Network, new: Network) -> list[str]:
    """Rules on the change itself: a NIC that becomes a bond slave must not be a slave of
    another bond that stays, nor the interface in use (addresses, VLANs or a bridge on it)."""
    errors = []
    for iface in new.ifaces:
        before = old.get(iface.name)
        master = new.get(iface.master) if iface.master else None
        if before is None or master is None or master.kind != "bond" or before.master == iface.master:
            continue
        if before.master and new.get(before.master) is not None:
            errors.append(f"{iface.name} is already a slave of {before.master}")
        elif not before.master and (before.addressed or old.children(iface.name)):
            errors.append(f"{iface.name} is the management NIC in use: it cannot become a slave of {iface.master}")
    return errors


# --------------------------------------------------------------------------- the 3.x keys


class ManagementStack(Record):
    """The 3.x view: the boot interface (a NIC or bond), an optional VLAN and bridge on it,
    and the addressing of the topmost of them (bridge > VLAN > interface)."""

    bootif: str = ""
    bootproto: str = "none"
    ip_address: str = ""
    ip_netmask: str = ""
    ip_gateway: str = ""
    vlan: str = ""
    ipv6: str = "none"
    ipv6_address: str = ""
    ipv6_netmask: str = ""
    ipv6_gateway: str = ""
    bond_name: str = ""
    bond_slaves: str = ""
    bond_options: str = ""
    layout: str = "direct"


def bridge_name(device: str, parent: str = "") -> str:
    """3.x names the bridge after the NIC or bond, also over a VLAN (brbond0, not brbond0.20):
    `parent` is the VLAN's NIC or bond. br + a VLAN's name can pass the kernel's 15 characters."""
    return f"br{parent or device}"


def prefix_to_netmask(prefix: int | None) -> str:
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask) if prefix is not None else ""


def netmask_to_prefix(mask: str) -> int | None:
    if not mask:
        return None
    if mask.isdigit():
        return int(mask)
    return ipaddress.IPv4Network(f"0.0.0.0/{mask}").prefixlen


def _top(network: Network, bootif: str) -> list[Iface]:
    """[base, vlan?, bridge?] of the management stack that starts at `bootif`."""
    base = network.get(bootif)
    if base is None:
        return []
    stack = [base]
    vlans = network.children(bootif)
    if vlans and not base.addressed:
        stack.append(vlans[0])
    bridge = network.get(stack[-1].master) if stack[-1].master else None
    if bridge is not None and bridge.kind == "bridge":
        stack.append(bridge)
    return stack


def _bond_slave(network: Network, iface: Iface) -> bool:
    master = network.get(iface.master) if iface.master else None
    return master is not None and master.kind == "bond"


def management_interface(network: Network, preferred: str = "") -> str:
    """The interface the 3.x keys describe: `preferred` (OVIRT_BOOTIF) when configured, else
    the first NIC or bond that carries addresses itself, through a VLAN or a bridge."""
    if preferred and network.get(preferred) is not None:
        return preferred
    for i in network.ifaces:
        if i.kind in ("ethernet", "bond") and not _bond_slave(network, i):
            stack = _top(network, i.name)
            if stack and stack[-1].addressed:
                return i.name
    return ""


def management_ifaces(network: Network, preferred: str = "") -> list[Iface]:
    """[interface, VLAN?, bridge?] of the management stack; the last carries the addresses."""
    return _top(network, management_interface(network, preferred))


def stack_of(network: Network, preferred: str = "") -> ManagementStack:
    bootif = management_interface(network, preferred)
    stack = _top(network, bootif)
    if not stack:
        return ManagementStack()
    top = stack[-1]
    vlan = next((s for s in stack if s.kind == "vlan"), None)
    bridged = top.kind == "bridge"
    base = stack[0]
    bond = base.bond if base.kind == "bond" else None
    v4, v6 = top.ipv4, top.ipv6
    return ManagementStack(
        bootif=bootif, bootproto=v4.method, ip_address=v4.address, ip_netmask=prefix_to_netmask(v4.prefix),
        ip_gateway=v4.gateway, vlan=str(vlan.vlan_id) if vlan else "", ipv6=v6.method, ipv6_address=v6.address,
        ipv6_netmask="" if v6.prefix is None else str(v6.prefix), ipv6_gateway=v6.gateway,
        bond_name=base.name if bond else "", bond_slaves=",".join(network.slaves(base.name)) if bond else "",
        bond_options=bond.options() if bond else "", layout="bridged" if bridged else "direct",
    )


def apply_stack(network: Network, old: ManagementStack, new: ManagementStack) -> Network:
    """`network` with its management stack rebuilt from the 3.x keys of `new`: the old stack's
    VLAN and bridge go, the old bond goes when the bond changed, the new ones are made."""
    drop = [s.name for s in _top(network, old.bootif)[1:]]
    if old.bond_name and (old.bond_name != new.bond_name or old.bond_slaves != new.bond_slaves):
        drop.append(old.bond_name)
        network = Network(tuple(i._replace(master="") if i.master == old.bond_name else i for i in network.ifaces))
    network = network.without(*drop)
    if new.bond_name:
        bond = Iface(new.bond_name, "bond", bond=parse_bond_options(new.bond_options or DEFAULT_BOND_OPTIONS))
        network = network.put(bond)
        for slave in (s for s in new.bond_slaves.split(",") if s):
            network = network.put(Iface(slave, master=new.bond_name))
    if not new.bootif:
        return network
    v4 = Addressing(new.bootproto or "none", new.ip_address, netmask_to_prefix(new.ip_netmask), new.ip_gateway)
    if v4.method != "static":
        v4 = Addressing(v4.method)
    v6 = Addressing(new.ipv6 or "none", new.ipv6_address,
                    int(new.ipv6_netmask) if new.ipv6_netmask.isdigit() else None, new.ipv6_gateway)
    if v6.method != "static":
        v6 = Addressing(v6.method)
    base = network.get(new.bootif) or Iface(new.bootif, "bond" if new.bootif == new.bond_name else "ethernet")
    top_name = new.bootif
    base = base._replace(ipv4=Addressing(), ipv6=Addressing())
    network = network.put(base)
    if new.vlan:
        top_name = f"{new.bootif}.{new.vlan}"
        network = network.put(Iface(top_name, "vlan", vlan_id=int(new.vlan) if new.vlan.isdigit() else None,
                                    parent=new.bootif))
    if new.layout == "bridged":
        bridge = bridge_name(top_name, new.bootif)
        network = network.put((network.get(top_name) or Iface(top_name))._replace(
            master=bridge, ipv4=Addressing(), ipv6=Addressing()))
        top_name = bridge
        network = network.put(Iface(bridge, "bridge"))
    top = network.get(top_name)
    assert top is not None
    return network.put(top._replace(ipv4=v4, ipv6=v6))
