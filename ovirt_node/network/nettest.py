"""Test the management network of the running node, as an operator at the console would:
the link (each bond member's too, and its LACP partner), the address and default route, the
gateway answering (and carrying full-size packets when the MTU is over 1500), each DNS server
answering for the node's own name and a name the node needs, each NTP server answering chrony,
and the remote log and statistics hosts answering ping. Every line passes, warns or fails with
the reason and what to look at; nothing is changed.

Everything is read from the running system (`ip -j`, /sys/class/net, /proc/net/bonding,
`ping`, `chronyc`, DNS questions to each server), so it only makes sense on the node itself.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.network import dnsquery

PASS, WARN, FAIL = "pass", "warn", "fail"


@dataclass(frozen=True)
class Check:
    what: str
    status: str
    detail: str

    def line(self) -> str:
        return f"{self.status.upper():4}  {self.what}: {self.detail}"


@dataclass(frozen=True)
class Targets:
    """What the node is configured to reach (from its settings)."""

    hostname: str
    ntp: tuple[str, ...] = ()
    #: (role, host): "remote syslog", "netconsole", "collectd" servers that are set
    remote: tuple[tuple[str, str], ...] = ()


#: The sections whose settings name what the node must reach.
TARGET_SECTIONS = ("network", "logging", "monitoring")
REMOTE_KEYS = (("remote syslog", "logging.rsyslog.server"), ("netconsole", "logging.netconsole.server"),
               ("collectd", "monitoring.collectd.server"))


def targets_from(values: Mapping[str, str]) -> Targets:
    """The targets the node's settings name (engine values of TARGET_SECTIONS)."""
    remote = tuple((role, values[key]) for role, key in REMOTE_KEYS if values.get(key))
    ntp = tuple(s.strip() for s in values.get("network.ntp", "").split(",") if s.strip())
    return Targets(hostname=values.get("network.hostname") or socket.gethostname(), ntp=ntp, remote=remote)


@dataclass(frozen=True)
class Route:
    dev: str
    gateway: str | None


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    #: Told of each check as it completes (the network countdown shows them as they come).
    listener: Callable[[Check], object] | None = None

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def add(self, what: str, status: str, detail: str) -> None:
        check = Check(what, status, detail)
        self.checks.append(check)
        if self.listener is not None:
            self.listener(check)

    def text(self) -> str:
        return "\n".join(c.line() for c in self.checks)

    def json(self) -> str:
        return json.dumps({"ok": self.ok, "checks": [c.__dict__ for c in self.checks]}, indent=1)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def default_routes(runner: Runner) -> list[Route]:
    routes = []
    for family in ("-4", "-6"):
        try:
            found = json.loads(runner(["ip", "-j", family, "route", "show", "default"]).stdout or "[]")
        except (CommandError, ValueError):
            continue
        routes += [Route(r["dev"], r.get("gateway")) for r in found if r.get("dev")]
    return routes


def _read(root: Root, path: str) -> str:
    try:
        return root(path).read_text(errors="replace").strip()
    except OSError:
        return ""


def check_link(report: Report, root: Root, dev: str) -> None:
    state = _read(root, f"/sys/class/net/{dev}/operstate") or "unknown"
    slaves = _read(root, f"/sys/class/net/{dev}/bonding/slaves").split()
    if not slaves:
        lower = re.search(r"Device:\s*(\S+)", _read(root, f"/proc/net/vlan/{dev}"))
        if state == "up":
            report.add("link", PASS, f"{dev} is up" + (f" (VLAN on {lower.group(1)})" if lower else ""))
        else:
            report.add("link", FAIL, f"{dev} is {state}: check the cable and the switch port")
        return
    mode = _read(root, f"/sys/class/net/{dev}/bonding/mode").split(" ")[0]
    members = {s: _read(root, f"/sys/class/net/{s}/operstate") or "unknown" for s in slaves}
    up = [s for s, st in members.items() if st == "up"]
    shown = ", ".join(f"{s} {st}" for s, st in members.items())
    if not up:
        report.add("link", FAIL, f"bond {dev} ({mode}) has no member with a link: {shown}")
    elif len(up) < len(members):
        report.add("link", WARN, f"bond {dev} ({mode}) works on {len(up)} of {len(members)} members: {shown}")
    else:
        report.add("link", PASS, f"bond {dev} ({mode}) is up: {shown}")
    if mode == "802.3ad":
        check_lacp(report, _read(root, f"/proc/net/bonding/{dev}"), slaves)


def check_lacp(report: Report, status: str, slaves: Sequence[str]) -> None:
    """Each member's LACP partner, from the bonding driver's status page."""
    for section in status.split("Slave Interface: ")[1:]:
        name = section.split(None, 1)[0]
        partner = re.search(r"[Pp]artner [Mm]ac [Aa]ddress:\s*(\S+)", section)
        if name not in slaves:
            continue
        if partner is None or partner.group(1) == "00:00:00:00:00:00":
            report.add(f"LACP {name}", FAIL, f"{name} has no LACP partner: is its switch port in an 802.3ad LAG?")
        else:
            report.add(f"LACP {name}", PASS, f"{name} negotiated with partner {partner.group(1)}")


def check_address(report: Report, runner: Runner, dev: str) -> None:
    try:
        info = json.loads(runner(["ip", "-j", "addr", "show", "dev", dev]).stdout or "[]")
    except (CommandError, ValueError) as exc:
        report.add("address", FAIL, f"cannot read the addresses of {dev}: {exc}")
        return
    found = [f"{a['local']}/{a['prefixlen']}" for i in info for a in i.get("addr_info", [])
             if a.get("scope") == "global" and a.get("local")]
    if found:
        report.add("address", PASS, f"{dev} has {', '.join(found)}")
    else:
        report.add("address", FAIL, f"{dev} has no address: is DHCP answering, or is the static address saved?")


def _ping(runner: Runner, host: str, *extra: str) -> tuple[bool, str]:
    try:
        done = runner(["ping", "-n", "-c", "2", "-W", "2", *extra, host], check=False, timeout=15)
    except CommandError as exc:
        return False, str(exc)
    rtt = re.search(r"= [\d.]+/([\d.]+)/", done.stdout)
    return done.ok, (f"{float(rtt.group(1)):.1f} ms" if rtt else (done.stdout + done.stderr).strip()[-120:])


def check_gateway(report: Report, root: Root, runner: Runner, route: Route) -> None:
    if not route.gateway:
        report.add("gateway", WARN, f"the default route through {route.dev} has no gateway address")
        return
    answered, detail = _ping(runner, route.gateway)
    if answered:
        report.add("gateway", PASS, f"{route.gateway} answers ping ({detail})")
    else:
        report.add("gateway", FAIL, f"{route.gateway} does not answer ping: check the VLAN, the address and "
                                    "the gateway")
        return
    mtu = int(_read(root, f"/sys/class/net/{route.dev}/mtu") or 0)
    if mtu > 1500:
        ok, _ = _ping(runner, route.gateway, "-M", "do", "-s", str(mtu - 28))
        if ok:
            report.add("MTU", PASS, f"{mtu}-byte packets reach the gateway unfragmented")
        else:
            report.add("MTU", FAIL, f"{mtu}-byte packets do not reach the gateway: the switch or the gateway uses "
                                    "a smaller MTU than this node")


def nameservers(root: Root) -> list[str]:
    return [line.split()[1] for line in _read(root, "/etc/resolv.conf").splitlines()
            if line.startswith("nameserver") and len(line.split()) > 1]


def check_dns(report: Report, root: Root, targets: Targets, port: int = 53) -> None:
    servers = nameservers(root)
    if not servers:
        report.add("DNS", WARN, "no DNS servers are set: names (NTP, log servers, engines) cannot be used")
        return
    needed = next(((role, host) for role, host in (*(("NTP server", n) for n in targets.ntp), *targets.remote)
                   if not _is_ip(host)), None)
    for server in servers:
        what = f"DNS {server}"
        try:
            own = dnsquery.ask(server, targets.hostname, port=port)
            other = dnsquery.ask(server, needed[1], port=port) if needed else None
        except dnsquery.NoAnswer as exc:
            report.add(what, FAIL, f"does not answer ({exc}): check the address and that it serves this network")
            continue
        if other is not None and needed and not other.addresses:
            report.add(what, FAIL, f"cannot resolve {needed[1]}, the {needed[0]} ({other.code})")
        elif not own.addresses:
            report.add(what, WARN, f"answers, but does not know this node's name {targets.hostname} ({own.code}): "
                                   "engines and operators reach the node by it")
        else:
            extra = f"; {needed[1]} -> {other.addresses[0]}" if other and needed else ""
            report.add(what, PASS, f"{targets.hostname} -> {', '.join(own.addresses)}{extra}")


def _addresses(host: str) -> set[str]:
    if _is_ip(host):
        return {str(ipaddress.ip_address(host))}
    try:
        return {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
    except OSError:
        return set()


def check_ntp(report: Report, runner: Runner, servers: Sequence[str]) -> None:
    if not servers:
        return
    try:
        rows = runner(["chronyc", "-n", "-c", "sources"], timeout=15).stdout.splitlines()
    except CommandError as exc:
        report.add("NTP", FAIL, f"chronyd does not answer ({exc}): is chrony running?")
        return
    sources = {}
    for row in rows:
        fields = row.split(",")
        if len(fields) > 5:
            sources[fields[2]] = (fields[1], int(fields[5] or "0", 8))
    for server in servers:
        match = next((sources[a] for a in _addresses(server) if a in sources), None)
        if match is None:
            report.add(f"NTP {server}", FAIL, "not among chrony's sources: is the saved configuration running?")
        elif match[1] == 0:
            report.add(f"NTP {server}", FAIL, "no answer yet (chrony has heard nothing from it): check UDP 123 "
                                              "and the address")
        else:
            state = {"*": "synchronised to it", "+": "answers, combined"}.get(match[0], "answers")
            report.add(f"NTP {server}", PASS, state)


def check_remote(report: Report, runner: Runner, remote: Sequence[tuple[str, str]]) -> None:
    for role, host in remote:
        answered, detail = _ping(runner, host)
        if answered:
            report.add(role, PASS, f"{host} answers ping ({detail})")
        else:
            report.add(role, WARN, f"{host} does not answer ping (it may block ICMP; what it receives is UDP, "
                                   "which cannot be confirmed from here)")


def run_network_test(root: Root, runner: Runner, targets: Targets, dns_port: int = 53,
                     on_check: Callable[[Check], object] | None = None) -> Report:
    """Every check in order; `on_check` is told of each as it completes."""
    report = Report(listener=on_check)
    routes = default_routes(runner)
    if not routes:
        report.add("route", FAIL, "no default route: the node cannot reach other networks (no gateway set, "
                                  "or DHCP gave none)")
    else:
        shown = ", ".join(f"via {r.gateway} dev {r.dev}" if r.gateway else f"dev {r.dev}" for r in routes)
        report.add("route", PASS, f"default {shown}")
    for dev in dict.fromkeys(r.dev for r in routes):
        check_link(report, root, dev)
        check_address(report, runner, dev)
    for route in routes[:1]:
        check_gateway(report, root, runner, route)
    check_dns(report, root, targets, dns_port)
    check_ntp(report, runner, targets.ntp)
    check_remote(report, runner, targets.remote)
    return report
