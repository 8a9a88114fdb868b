"""Network: connections (NetworkManager keyfiles), host name, DNS and NTP.

Keys: the 3.x `OVIRT_*` keys of the management stack (`network.bootif`, `network.ip.*`,
`network.vlan`, `network.ipv6*`, `network.bond.*`, `network.layout`), the whole set of
connections as `network.interfaces` (the text form of `netmodel`), and `network.hostname`,
`network.dns`, `network.dns.search`, `network.ntp`. Everything is read back from the files:
the keyfiles, NetworkManager's global DNS drop-in (or resolv.conf), chrony's configuration
and /etc/hostname. An empty host name clears it: /etc/hostname emptied, the /etc/hosts line
dropped, the running name left alone (as 3.x did).

A change of connections writes only the keyfiles whose connection changed, then activates
only those connections over D-Bus inside a NetworkManager checkpoint (`netapply.py`).
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ovirt_node.core import cmdline, netroot
from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Section, changed_fields
from ovirt_node.core.platform import detect
from ovirt_node.core.record import record_fields, replace
from ovirt_node.core.valid import (
    BondName,
    BondOptions,
    Empty,
    EmptyOr,
    FQDNOrIP,
    Hostname,
    IPAddress,
    IPv4Address,
    IPv4Netmask,
    IPv4Prefix,
    IPv6Address,
    IPv6Prefix,
    OneOf,
    Text,
    Validator,
    VlanId,
)
from ovirt_node.network.keyfile import KEYFILE_DIR, KEYFILES, connection_uuid, keyfile_path, read_keyfiles
from ovirt_node.network.model import (
    DEFAULT_BOND_OPTIONS,
    MAX_BOND_SLAVES,
    ManagementStack,
    Network,
    apply_stack,
    check_change,
    check_network,
    format_spec,
    gateway_warning,
    network_from_text,
    stack_of,
)
from ovirt_node.network.quick import DNS_CONF_PATH, DNS_SECTION, resolv_conf
from ovirt_node.network.quick import RESOLV_CONF as RESOLV_CONF  # where areas/reset.py finds it
from ovirt_node.system.machine.model import Nic

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Step

log = logging.getLogger(__name__)

DNS_CONF = LensFile("NetworkManager", DNS_CONF_PATH)
HOSTNAME = LensFile("Hostname", "/etc/hostname")
HOSTS = LensFile("Hosts", "/etc/hosts")
#: Our OvirtChrony lens, not Chrony: the same tree for the sources, and a sixth of the memory
#: and time to build for every read of this section (the Status page's first screen among them).
CHRONY_LENS = "OvirtChrony"
CHRONY_FILES = (LensFile(CHRONY_LENS, "/etc/chrony.conf"), LensFile(CHRONY_LENS, "/etc/chrony/chrony.conf"))
_DNS = files_node(DNS_CONF.path)
_DNS_DOMAIN = f"{_DNS}/*[label() = '{DNS_SECTION}']"
_MAC_SHAPE = re.compile(r"(?:01-)?[0-9A-Za-z]{2}(?:[-:][0-9A-Za-z]{2}){5}")
_MAC = re.compile(r"(?:01-)?[0-9a-f]{2}(?:([-:])[0-9a-f]{2})(?:\1[0-9a-f]{2}){4}")
_IFNAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}")

#: Settings field -> key, for the 3.x keys of the management stack.
FLAT = {f: f"network.{f.replace('_', '.', 1)}" if f.startswith(("ip_", "ipv6_", "bond_"))
        else f"network.{f}" for f in record_fields(ManagementStack)}


class ListOf(Validator):
    """Comma-separated entries, each valid by `rule`; empty ("") is allowed.

    Entries are checked exactly as typed (no stripping): the writers put them into the
    files as they are, so " yes" must be refused here, not by a lens when written."""

    def __init__(self, rule: Validator, noun: str, extra: tuple[str, ...] = (), most: int | None = None,
                 most_what: str = "") -> None:
        self.rule = rule
        self.extra = extra
        self.most = most
        self.most_what = most_what or noun
        self.description = f"comma-separated {noun}" + (f", or {' or '.join(extra)}" if extra else "")

    def check(self, value: str) -> str | None:
        if not value or value in self.extra:
            return None
        entries = value.split(",")
        if self.most is not None and len(entries) > self.most:  # refused before any costly check
            return f"at most {self.most} {self.most_what}, not {len(entries)}"
        for entry in entries:
            problem = self.rule.check(entry)
            if problem:
                return self._spaces(value) or f"{entry!r} {problem}"
        return None

    def _spaces(self, value: str) -> str | None:
        """The message for a list separated by spaces ("a b", "a, b"), which people type: say
        how to write it, not that "a b" is no address."""
        words = value.replace(",", " ").split()
        # Two or more good words: a list; a lone word with a stray space is told its own problem.
        if len(words) < 2 or not any(ch.isspace() for ch in value) or not all(self.rule.is_valid(w) for w in words):
            return None
        return f"must be {self.description}: separate them with commas, without spaces (e.g. {','.join(words)})"


class Nameservers(ListOf):
    """DNS servers: the resolver (glibc's MAXNS) uses only the first three."""

    def __init__(self) -> None:
        super().__init__(IPAddress(), "IP addresses (at most three)")

    def check(self, value: str) -> str | None:
        if value and value.count(",") >= 3:
            return "must list at most three servers: the resolver uses only the first three"
        return super().check(value)


class NtpServer(Validator):
    """An NTP server as chrony's configuration can hold it: its Augeas lens takes no name whose
    last label is a single character ("a", "pool.n"), so such a name is refused here, not
    when the file is written."""

    def __init__(self) -> None:
        self.rule = FQDNOrIP()
        self.description = self.rule.description

    def check(self, value: str) -> str | None:
        problem = self.rule.check(value)
        if problem is None and not IPAddress().is_valid(value) and len(value.rsplit(".", 1)[-1]) < 2:
            return "must end in a label of two or more characters (chrony's configuration cannot hold it)"
        return problem


class BootIf(Validator):
    """A NIC or bond name, `link` (the first NIC with carrier) or a MAC (PXE `01-aa-bb-...`)."""

    description = "an interface name (eth0, bond0), link, or a MAC address (01-52-54-00-12-34-56)"

    def check(self, value: str) -> str | None:
        if not value or value == "link":
            return None
        if _MAC_SHAPE.fullmatch(value):
            return None if _MAC.fullmatch(value.lower()) else f"{value!r} is not a valid MAC address"
        return None if _IFNAME.fullmatch(value) and value not in (".", "..") else f"must be {self.description}"


class InterfacesSpec(Validator):
    description = "connections as NAME:key=value,...;NAME:... (see docs)"

    def check(self, value: str) -> str | None:
        try:
            network_from_text(value)
        except ValueError as exc:
            return str(exc)
        return None


_HOSTNAME_RULE = EmptyOr(Hostname() & Text(max_length=64))


@dataclass(frozen=True)
class NetworkSettings:
    hostname: str
    dns: str
    dns_search: str
    ntp: str
    interfaces: Network  # the typed connections; their text exists only at the edges
    bootif: str
    bootproto: str
    ip_address: str
    ip_netmask: str
    ip_gateway: str
    vlan: str
    ipv6: str
    ipv6_address: str
    ipv6_netmask: str
    ipv6_gateway: str
    bond_name: str
    bond_slaves: str
    bond_options: str
    layout: str

    def stack(self) -> ManagementStack:
        return ManagementStack(**{name: getattr(self, name) for name in FLAT})


def resolve_bootif(value: str, nics: Sequence[Nic]) -> str:
    """`link` and MAC forms -> the NIC's name (ValueError when no NIC fits)."""
    if value == "link":
        found = next((n for n in nics if n.kind == "ethernet" and n.link), None)
        if found is None:
            raise ValueError("BOOTIF=link: no NIC has a link")
        return found.name
    if _MAC_SHAPE.fullmatch(value):
        mac = value.lower()[3:] if value.lower().startswith("01-") and len(value) == 20 else value.lower()
        mac = mac.replace("-", ":")
        found = next((n for n in nics if n.mac.lower() == mac), None)
        if found is None:
            raise ValueError(f"no NIC has the MAC address {mac}")
        return found.name
    return value


def classful_prefix(address: str) -> int:
    """The netmask 3.x's network scripts assumed for an address given without one."""
    first = int(address.split(".")[0]) if address.split(".")[0].isdigit() else 192
    return 8 if first < 128 else 16 if first < 192 else 24


class NetworkSection(Section):
    name = "network"
    title = "Network"
    settings = NetworkSettings
    lens_files = (KEYFILES, DNS_CONF, HOSTNAME, HOSTS, *CHRONY_FILES)
    keys = (
        Key("network.hostname", "OVIRT_HOSTNAME", _HOSTNAME_RULE, help="the node's host name (FQDN); empty clears it"),
        Key("network.dns", "OVIRT_DNS", Nameservers(), help="DNS servers, comma-separated (at most three)"),
        Key("network.dns.search", "OVIRT_DNS_SEARCH", ListOf(Hostname(), "domain names"),
            help="DNS search domains, comma-separated"),
        Key("network.ntp", "OVIRT_NTP", ListOf(NtpServer(), "NTP servers", ("off",)),
            help="NTP servers (chrony), comma-separated; off disables time synchronisation"),
        Key("network.interfaces", "OVIRT_NETWORK_INTERFACES", InterfacesSpec(), parse=network_from_text,
            help="every connection: NAME:ipv4=dhcp|static,ip=A/P,gw=G,ipv6=...,type=bond|vlan|bridge,...;..."),
        Key("network.bootif", "OVIRT_BOOTIF", BootIf(), help="the management NIC or bond"),
        Key("network.bootproto", "OVIRT_BOOTPROTO", OneOf("none", "dhcp", "static"), default="none",
            help="IPv4 of the management interface"),
        Key("network.ip.address", "OVIRT_IP_ADDRESS", Empty() | IPv4Address(), help="static IPv4 address"),
        Key("network.ip.netmask", "OVIRT_IP_NETMASK", Empty() | IPv4Netmask() | IPv4Prefix(),
            help="IPv4 netmask (or prefix length)"),
        Key("network.ip.gateway", "OVIRT_IP_GATEWAY", Empty() | IPv4Address(), help="IPv4 default gateway"),
        Key("network.vlan", "OVIRT_VLAN", Empty() | VlanId(), help="VLAN ID of the management network"),
        Key("network.ipv6", "OVIRT_IPV6", OneOf("none", "auto", "dhcp", "static"), default="none",
            help="IPv6 of the management interface"),
        Key("network.ipv6.address", "OVIRT_IPV6_ADDRESS", Empty() | IPv6Address(), help="static IPv6 address"),
        Key("network.ipv6.netmask", "OVIRT_IPV6_NETMASK", Empty() | IPv6Prefix(), help="IPv6 prefix length"),
        Key("network.ipv6.gateway", "OVIRT_IPV6_GATEWAY", Empty() | IPv6Address(), help="IPv6 default gateway"),
        Key("network.bond.name", "OVIRT_BOND_NAME", Empty() | BondName(), help="the management bond"),
        Key("network.bond.slaves", "OVIRT_BOND_SLAVES", ListOf(BootIf(), "NIC names", most=MAX_BOND_SLAVES,
                                                                          most_what="slaves per bond"),
            help=f"its slaves (at most {MAX_BOND_SLAVES})"),
        Key("network.bond.options", "OVIRT_BOND_OPTIONS", Empty() | BondOptions(),
            help=f"its bonding options (default {DEFAULT_BOND_OPTIONS})"),
        Key("network.layout", "OVIRT_NETWORK_LAYOUT", OneOf("direct", "bridged"), default="direct",
            help="bridged: a management bridge over the interface"),
    )

    # -- reading back -----------------------------------------------------------------------

    def read(self, ctx: Context) -> dict[str, str | None]:
        values: dict[str, str | None] = {}
        if ctx.root(KEYFILE_DIR).is_dir():
            network = read_keyfiles(ctx.aug).network
            values["network.interfaces"] = format_spec(network)
            stack = stack_of(network, ctx.defaults.get("OVIRT_BOOTIF") or "")
            values.update({key: getattr(stack, name) for name, key in FLAT.items()})
        if ctx.root(HOSTNAME.path).exists():
            values["network.hostname"] = ctx.aug.get(files_node(HOSTNAME.path) + "/hostname") or ""
        values.update(self._read_dns(ctx))
        chrony = chrony_file(ctx)
        if ctx.root(chrony.path).exists():
            node = files_node(chrony.path)
            servers = [ctx.aug.get(n) or "" for n in ctx.aug.match(f"{node}/*[label() = 'server' or label() = 'pool']")]
            values["network.ntp"] = ",".join(servers) if servers else "off"
        return values

    def _read_dns(self, ctx: Context) -> dict[str, str | None]:
        if ctx.root(DNS_CONF.path).exists():
            servers = ctx.aug.get(f"{_DNS_DOMAIN}/servers") or ""
            search = ctx.aug.get(f"{_DNS}/global-dns/searches") or ""
            return {"network.dns": servers.strip(",;").replace(";", ","),
                    "network.dns.search": search.strip(",;").replace(";", ",")}
        return resolv_conf(ctx.root)

    # -- the connections a change leads to --------------------------------------------------

    def network(self, ctx: Context, old: NetworkSettings, new: NetworkSettings) -> Network:
        """The desired connections: `new.interfaces`, with the management stack rebuilt from
        the 3.x keys when those changed. ValueError when they cannot be understood."""
        network = new.interfaces
        old_stack, new_stack = old.stack(), new.stack()
        if old_stack == new_stack:
            return network
        if new_stack == stack_of(network, new_stack.bootif):
            return network  # the 3.x keys describe these connections as they are (the TUI sends both)
        new_stack = replace(new_stack, bootif=resolve_bootif(new_stack.bootif, ctx.nics()))
        if new_stack.bootproto == "static" and new_stack.ip_address and not new_stack.ip_netmask:
            new_stack = replace(new_stack, ip_netmask=str(classful_prefix(new_stack.ip_address)))
        return apply_stack(network, old_stack, new_stack)

    def check_change(self, ctx: Context, current: Mapping[str, str], desired: Mapping[str, str]) -> dict[str, str]:
        old, new = self.to_settings(current), self.to_settings(desired)
        if old.stack() == new.stack() and old.interfaces == new.interfaces:
            return {}
        where = "network.interfaces" if old.interfaces != new.interfaces else "network.bootif"
        try:
            network = self.network(ctx, old, new)
        except ValueError as exc:
            return {where: str(exc)}
        nics = [n.name for n in ctx.nics() if n.kind == "ethernet"] or None
        problems = check_network(network, nics) + check_change(old.interfaces, network)
        problems += root_nic_problems(ctx, old.interfaces, network)
        return {where: "; ".join(problems)} if problems else {}

    # -- planning ---------------------------------------------------------------------------

    def plan(self, ctx: Context, old: NetworkSettings, new: NetworkSettings) -> Sequence[Step]:
        # The steps are imported when a change is planned: reading (the Status page's first
        # screen, `get`) never pays for them.
        from ovirt_node.core.steps import AugeasEdit, RestartUnit, WriteFile
        from ovirt_node.network.apply import NmReload, SetHostname

        changed = changed_fields(old, new)
        steps: list[Step] = []
        if "hostname" in changed and new.hostname:
            # /etc/hostname is written whole: the stock Hostname lens cannot put a name into an
            # empty file, which systemd accepts as "no static name" and clearing leaves.
            steps += [WriteFile(HOSTNAME.path, f"{new.hostname}\n", title="Set the host name"),
                      AugeasEdit("Name the host in /etc/hosts", HOSTS, lambda aug: write_hosts(aug, new.hostname)),
                      SetHostname(new.hostname)]
        elif "hostname" in changed:
            # 3.x took an empty name as "no configured name": the alias goes, the running
            # (kernel) name stays until the next boot.
            steps += [WriteFile(HOSTNAME.path, "", title="Clear the host name"),
                      AugeasEdit("Drop the host name from /etc/hosts", HOSTS, clear_hosts)]
        if changed & {"dns", "dns_search"}:
            steps += [AugeasEdit("Configure the DNS servers", DNS_CONF, lambda aug: write_dns(aug, new)), NmReload()]
        if "ntp" in changed:
            chrony = chrony_file(ctx)
            steps += [AugeasEdit("Configure the NTP servers", chrony, lambda aug: write_chrony(aug, chrony, new.ntp)),
                      RestartUnit(detect(ctx.root).unit("chrony"))]
        if changed - {"hostname", "dns", "dns_search", "ntp"}:
            steps += self._plan_connections(ctx, old, new)
        return steps

    def _plan_connections(self, ctx: Context, old: NetworkSettings, new: NetworkSettings) -> list[Step]:
        from ovirt_node.core.steps import WriteDefaults
        from ovirt_node.network.apply import ActivateConnections, WriteKeyfiles

        files = read_keyfiles(ctx.aug)
        desired = self.network(ctx, old, new)
        for iface in desired.ifaces:
            for family in (iface.ipv4, iface.ipv6):
                warning = gateway_warning(iface.name, family)
                if warning:
                    log.warning("%s", warning)
        changed = [i for i in desired.ifaces if files.network.get(i.name) != i]
        removed = [files.paths[n] for n in files.network.names() if desired.get(n) is None]
        paths = {i.name: files.paths.get(i.name, keyfile_path(i.name)) for i in changed}
        kinds = {i.name: i.kind for i in desired.ifaces}
        stack = stack_of(desired, resolve_bootif(new.bootif, ctx.nics()) if new.bootif else "")
        defaults: dict[str, str | None] = {self.key(k).ovirt or "": getattr(stack, f) or None
                                           for f, k in FLAT.items()}
        defaults["OVIRT_NETWORK_INTERFACES"] = format_spec(desired) or None
        return [
            WriteKeyfiles(changed, paths, removed, kinds),
            WriteDefaults(defaults, title="Record the management network in the node settings"),
            ActivateConnections([(i.name, paths[i.name], files.uuids.get(i.name) or connection_uuid(i.name), i.kind)
                                 for i in changed], removed),
        ]

    # -- kernel arguments (3.x names) -------------------------------------------------------

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return grouped({
            "BOOTIF": lambda v: {"network.bootif": v or ""},
            "ip": parse_ip_arg,
            "netmask": lambda v: {"network.ip.netmask": v or ""},
            "gateway": lambda v: {"network.ip.gateway": v or ""},
            "ipv6": lambda v: {"network.ipv6": v or ""},
            "dns": lambda v: {"network.dns": v or ""},
            "ntp": lambda v: {"network.ntp": v or ""},
            "hostname": lambda v: {"network.hostname": v or ""},
            "vlan": parse_vlan_arg,
            "bond": parse_bond_arg,
            "network_layout": lambda v: {"network.layout": v or ""},
        })


def grouped(handlers: dict[str, KernelArgHandler]) -> dict[str, KernelArgHandler]:
    """The network arguments are validated together (BOOTIF=bond0 needs bond=...) and each
    is refused when given twice (see kernelargs)."""
    for handler in handlers.values():
        handler.unique = True  # type: ignore[attr-defined]
        handler.group = "network"  # type: ignore[attr-defined]
    handlers["BOOTIF"].implies = {"network.bootproto": "dhcp"}  # type: ignore[attr-defined]
    return handlers


def parse_ip_arg(value: str | None) -> dict[str, str]:
    """`ip=dhcp`, `ip=IP::GW:MASK` (pxelinux) or `ip=IP` (with `netmask=` and `gateway=`)."""
    text = value or ""
    if text in ("dhcp", "on", "any", "auto"):
        return {"network.bootproto": "dhcp"}
    if text in ("none", "off"):
        return {"network.bootproto": "none"}
    parts = text.split(":")
    changes = {"network.bootproto": "static", "network.ip.address": parts[0]}
    if len(parts) >= 4:
        changes["network.ip.gateway"] = parts[2]
        changes["network.ip.netmask"] = parts[3]
    elif len(parts) != 1:
        changes["network.ip.address"] = text  # rejected by the address rule, with the text shown
    return changes


def parse_vlan_arg(value: str | None) -> dict[str, str]:
    vid, _, nic = (value or "").partition(":")
    return {"network.vlan": vid, **({"network.bootif": nic} if nic else {})}


def parse_bond_arg(value: str | None) -> dict[str, str]:
    """`bond=NAME:slave,slave:opt,opt` (options comma-separated, as 3.x took them)."""
    name, _, rest = (value or "").partition(":")
    slaves, _, options = rest.partition(":")
    return {"network.bond.name": name, "network.bond.slaves": slaves,
            "network.bond.options": options.replace(",", " ") or DEFAULT_BOND_OPTIONS}


def root_nic_problems(ctx: Context, old: Network, new: Network) -> list[str]:
    """The NIC a root on iSCSI runs over (`rd.iscsi.bootif=` on the kernel line) is never
    changed: taking it down, even for a moment, cuts the node off its own root disk."""
    try:
        iscsi = netroot.from_args(cmdline.read(ctx.root))
    except OSError:
        return []
    if iscsi is None or not iscsi.nic_mac:
        return []
    nic = next((n.name for n in ctx.nics() if n.mac.lower() == iscsi.nic_mac), None)
    if nic is None or old.get(nic) == new.get(nic):
        return []
    return [f"{nic} carries this node's root disk ({iscsi.describe()}): it cannot be changed while the node "
            "runs from it (reinstall with the new network instead)"]


# --------------------------------------------------------------------------- file edits


def chrony_file(ctx: Context) -> LensFile:
    path = detect(ctx.root).path("chrony")
    return next(lf for lf in CHRONY_FILES if lf.path == path)


def clear_hosts(aug: Augeas) -> None:
    """The 127.0.1.1 line only names the host (see write_hosts): without a name it goes."""
    aug.remove(files_node(HOSTS.path) + "/*[ipaddr = '127.0.1.1']")


def write_hosts(aug: Augeas, name: str) -> None:
    """127.0.1.1 names the host (Debian's convention; EL resolves it just the same)."""
    node = files_node(HOSTS.path)
    entry = next(iter(aug.match(f"{node}/*[ipaddr = '127.0.1.1']")), None)
    if entry is None:
        entry = f"{node}/01"
        aug.set(f"{entry}/ipaddr", "127.0.1.1")
    aug.remove(f"{entry}/alias")
    aug.set(f"{entry}/canonical", name)
    short = name.split(".")[0]
    if short != name:
        aug.set(f"{entry}/alias", short)


def write_dns(aug: Augeas, new: NetworkSettings) -> None:
    """NetworkManager's global DNS: it then writes resolv.conf itself, for every connection."""
    aug.remove(f"{_DNS}/*")
    # No search domains: no `searches=` line at all (the lens cannot store an empty value).
    if new.dns_search:
        aug.set(f"{_DNS}/global-dns/searches", new.dns_search)
    if new.dns:
        aug.set(f"{_DNS}/global-dns-domain-\\*/servers", new.dns)


def lens_address(host: str) -> str:
    """An IPv6 address in its compressed form: the lenses' IPv6 pattern (Rx.ipv6) misses some
    valid spellings (1::2:192.0.2.1); every compressed form but :: (refused by validation) fits."""
    try:
        return ipaddress.IPv6Address(host).compressed
    except ValueError:
        return host


def write_chrony(aug: Augeas, chrony: LensFile, ntp: str) -> None:
    node = files_node(chrony.path)
    aug.remove(f"{node}/*[label() = 'server' or label() = 'pool']")
    if ntp == "off":
        return
    for index, server in enumerate(s for s in ntp.split(",") if s):
        aug.set(f"{node}/server[{index + 1}]", lens_address(server))
        aug.set(f"{node}/server[{index + 1}]/iburst", None)
