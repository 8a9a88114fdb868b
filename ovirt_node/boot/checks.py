"""The node's own health checks (`ovirt-node-boot check NAME`, run from the scripts in
/usr/lib/ovirt-node/health.d/): each returns whether the node is fine and a line saying why.

    config    /config mounted and every persisted path in place
    network   the management NIC has the addresses and default route the upgrade recorded
    libvirtd  libvirtd answers (socket-activated)   sshd   ssh active
    setup     the setup TUI builds its first screen (headless)
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from ovirt_node.core.bootstate import NETWORK_FILE, read_json, write_json
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.persist.store import Store

Outcome = tuple[bool, str]


def config(root: Root, runner: Runner) -> Outcome:
    store = Store(root)
    if not os.path.ismount(root("/config")):
        return False, "/config is not mounted (the Config volume was not restored)"
    missing = store.not_in_place()
    if missing:
        return False, f"persisted paths not in place: {', '.join(missing)}"
    return True, "/config mounted, every persisted path in place"


def management_network(runner: Runner) -> dict[str, Any] | None:
    """The NIC of the default route, its global addresses and the gateway (None: no default route)."""
    routes = json.loads(runner(["ip", "-json", "route", "show", "default"]).stdout or "[]")
    if not routes:
        return None
    nic, gateway = routes[0].get("dev"), routes[0].get("gateway")
    addrs = json.loads(runner(["ip", "-json", "address", "show", "dev", nic]).stdout or "[]")
    addresses = sorted(f"{info['local']}/{info['prefixlen']}" for link in addrs for info in link.get("addr_info", [])
                       if info.get("scope") == "global" and info.get("family") == "inet")
    return {"nic": nic, "addresses": addresses, "gateway": gateway}


def record_network(root: Root, runner: Runner) -> dict[str, Any] | None:
    """What the upgrade saw, for the new slot's first boot to compare (nothing without a route)."""
    seen = management_network(runner)
    if seen is not None:
        write_json(root, NETWORK_FILE, seen)
    return seen


def network(root: Root, runner: Runner) -> Outcome:
    before = read_json(root, NETWORK_FILE)
    if before is None:
        return True, "no network recorded before an upgrade: nothing to compare"
    now = management_network(runner)
    if now is None:
        return False, f"no default route (before the upgrade: via {before.get('gateway')} on {before.get('nic')})"
    lost = sorted(set(before.get("addresses", [])) - set(now["addresses"]))
    if now["nic"] != before.get("nic") or now["gateway"] != before.get("gateway") or lost:
        return False, (f"management network changed: before {before.get('nic')} {before.get('addresses')} via "
                       f"{before.get('gateway')}, now {now['nic']} {now['addresses']} via {now['gateway']}")
    return True, f"{now['nic']} {' '.join(now['addresses'])} via {now['gateway']}, as before the upgrade"


def _service(unit: str) -> Callable[[Root, Runner], Outcome]:
    def check(root: Root, runner: Runner) -> Outcome:
        state = runner(["systemctl", "is-active", unit], check=False).stdout.strip()
        return state == "active", f"{unit} is {state or 'unknown'}"
    return check


def libvirtd(root: Root, runner: Runner) -> Outcome:
    """libvirt answers on its system socket (Debian's libvirtd exits when idle for 120 s and
    the socket starts it again: `is-active` of the service alone would fail a healthy node)."""
    done = runner(["virsh", "--connect", "qemu:///system", "uri"], check=False, timeout=240)
    if done.returncode != 0:
        return False, f"libvirtd does not answer: {(done.stderr or done.stdout).strip()}"
    state = runner(["systemctl", "is-active", "libvirtd.service"], check=False).stdout.strip()
    return True, f"libvirtd answers ({done.stdout.strip()}); libvirtd.service is {state}"


def setup(root: Root, runner: Runner) -> Outcome:
    try:
        out = runner(["ovirt-node-setup", "--self-test"], timeout=280).stdout.strip()
    except CommandError as exc:
        return False, f"the setup TUI does not start: {exc}"
    return True, out.splitlines()[-1] if out else "the setup TUI builds its first screen"


CHECKS: dict[str, Callable[[Root, Runner], Outcome]] = {
    "config": config,
    "network": network,
    "libvirtd": libvirtd,
    "sshd": _service("ssh.service"),
    "setup": setup,
}
