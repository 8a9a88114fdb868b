"""The kernel's netconsole, configured through configfs (Debian has no netconsole service).

A dynamic target is a directory under `/sys/kernel/config/netconsole/` whose attribute files
say where kernel messages go: the interface (`dev_name`), its address (`local_ip`), the
receiver (`remote_ip`, `remote_port`) and the Ethernet address of the next hop towards it
(`remote_mac`: netconsole sends raw UDP frames from interrupt context, with no routing or ARP
of its own). The attributes can only be written while the target is disabled; `enabled` is
written last. The route is asked of the kernel (`ip route get`), the next hop's MAC of the
neighbour table (`ip neigh`), after a ping when the table has no usable entry yet.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ovirt_node.core.run import CommandError, Runner, run

log = logging.getLogger(__name__)

CONFIGFS = "/sys/kernel/config"
#: Our one target's name under netconsole/ (a name of our own, so others' targets are left alone).
TARGET = "ovirt-node"
#: Neighbour states whose MAC may be used (a STALE entry's MAC is still the last one seen).
USABLE_STATES = frozenset({"REACHABLE", "STALE", "DELAY", "PROBE", "PERMANENT", "NOARP"})
PING_TRIES = 3


class NetconsoleError(RuntimeError):
    """Why kernel messages cannot be sent to the server; said as the user should read it."""


@dataclass(frozen=True)
class Route:
    dev: str
    source: str
    #: The gateway, or the server itself when it is on the link.
    next_hop: str


@dataclass(frozen=True)
class Target:
    dev_name: str
    local_ip: str
    remote_ip: str
    remote_port: int
    remote_mac: str

    def attributes(self) -> list[tuple[str, str]]:
        """configfs attribute -> value, in writing order (`enabled` comes after these)."""
        return [("dev_name", self.dev_name), ("local_ip", self.local_ip), ("remote_ip", self.remote_ip),
                ("remote_port", str(self.remote_port)), ("remote_mac", self.remote_mac)]


def server_address(server: str) -> str:
    """The IPv4 address of `server` (an address, or a name resolved now)."""
    try:
        return str(ipaddress.IPv4Address(server))
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(server, None, socket.AF_INET, socket.SOCK_DGRAM)
    except OSError as exc:
        raise NetconsoleError(f"cannot resolve the netconsole server {server}: {exc}") from exc
    return str(infos[0][4][0])


def _json_list(text: str, what: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text or "[]")
    except ValueError as exc:
        raise NetconsoleError(f"unreadable {what} output: {exc}") from exc
    if not isinstance(data, list):
        raise NetconsoleError(f"unreadable {what} output: not a list")
    return [item for item in data if isinstance(item, dict)]


def parse_route(text: str, server: str) -> Route:
    """`ip -j route get SERVER` -> the interface, source address and next hop."""
    routes = _json_list(text, "ip route get")
    if not routes:
        raise NetconsoleError(f"no route to the netconsole server {server}")
    route = routes[0]
    kind = route.get("type")
    dev, source = route.get("dev"), route.get("prefsrc")
    if kind in ("unreachable", "blackhole", "prohibit"):
        raise NetconsoleError(f"no route to the netconsole server {server} (the route is {kind})")
    if kind == "local" or dev == "lo":
        raise NetconsoleError(f"the netconsole server {server} is this node itself: kernel messages cannot "
                              "be sent to a local address")
    if not dev or not source:
        raise NetconsoleError(f"no route to the netconsole server {server} (no interface or source address)")
    return Route(str(dev), str(source), str(route.get("gateway") or server))


def parse_neighbour(text: str, address: str) -> str | None:
    """`ip -j neigh show to ADDRESS dev DEV` -> its MAC when the entry is usable."""
    for entry in _json_list(text, "ip neigh"):
        states = set(entry.get("state") or ())
        if entry.get("dst") == address and entry.get("lladdr") and states & USABLE_STATES:
            return str(entry["lladdr"]).lower()
    return None


def resolve(server: str, runner: Runner = run, ping: str = "ping") -> tuple[str, Route, str]:
    """The server's address, the route to it and the next hop's MAC (pinged if not known)."""
    address = server_address(server)
    try:
        out = runner(["ip", "-j", "route", "get", address]).stdout
    except CommandError as exc:
        reason = exc.stderr.strip().splitlines()[-1] if exc.stderr.strip() else str(exc)
        raise NetconsoleError(f"no route to the netconsole server {address}: {reason}") from exc
    route = parse_route(out, address)
    neigh = ["ip", "-j", "neigh", "show", "to", route.next_hop, "dev", route.dev]
    for attempt in range(PING_TRIES + 1):
        mac = parse_neighbour(runner(neigh).stdout, route.next_hop)
        if mac:
            return address, route, mac
        if attempt < PING_TRIES:  # an ARP exchange fills the table; its answer is not needed
            runner([ping, "-c", "1", "-W", "1", "-I", route.dev, route.next_hop], check=False, timeout=10)
    via = f"the gateway {route.next_hop}" if route.next_hop != address else address
    raise NetconsoleError(f"the netconsole server {address} is unreachable: {via} did not answer on "
                          f"{route.dev} (no MAC address in the neighbour table)")


def target_dir(configfs: Path, name: str = TARGET) -> Path:
    return configfs / "netconsole" / name


def ensure_module(configfs: Path, runner: Runner = run) -> None:
    """Load netconsole when its configfs directory is missing; say why it cannot work."""
    if (configfs / "netconsole").is_dir():
        return
    try:
        runner(["modprobe", "netconsole"])
    except CommandError as exc:
        raise NetconsoleError(f"cannot load the netconsole kernel module: {exc}") from exc
    if not (configfs / "netconsole").is_dir():
        raise NetconsoleError(f"{configfs}/netconsole is missing after loading netconsole: configfs is not "
                              "mounted, or the kernel has no dynamic netconsole (CONFIG_NETCONSOLE_DYNAMIC)")


def _write(path: Path, value: str) -> None:
    log.info("netconsole: %s = %s", path.name, value)
    try:
        path.write_text(value + "\n")
    except OSError as exc:
        raise NetconsoleError(f"cannot write {value!r} to {path}: {exc.strerror or exc}") from exc


def write_target(configfs: Path, target: Target, name: str = TARGET) -> Path:
    """Create (or rewrite) the target and enable it; its directory."""
    folder = target_dir(configfs, name)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise NetconsoleError(f"cannot create the netconsole target {folder}: {exc.strerror or exc}") from exc
    enabled = folder / "enabled"
    if enabled.exists() and enabled.read_text().strip() == "1":
        _write(enabled, "0")  # the kernel refuses attribute writes to an enabled target
    for attribute, value in target.attributes():
        _write(folder / attribute, value)
    _write(enabled, "1")
    return folder


def remove_target(configfs: Path, name: str = TARGET) -> bool:
    """Remove the target (the kernel disables it on removal); False when there was none."""
    folder = target_dir(configfs, name)
    if not folder.is_dir():
        return False
    try:
        folder.rmdir()
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise NetconsoleError(f"cannot remove the netconsole target {folder}: {exc.strerror or exc}") from exc
    log.info("netconsole: removed %s", folder)
    return True


def describe(target: Target, route: Route) -> str:
    via = f" via {route.next_hop}" if route.next_hop != target.remote_ip else ""
    return (f"kernel messages go to {target.remote_ip}:{target.remote_port} from {target.local_ip} on "
            f"{target.dev_name}{via} ({target.remote_mac})")


def targets(configfs: Path) -> Sequence[Path]:
    root = configfs / "netconsole"
    return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
