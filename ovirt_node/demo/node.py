"""The built-in demo node: a copy of the demo root (ovirt_node/data/demo-root), the demo machine
profile, and a private D-Bus whose systemd, logind, tuned and localed are python-dbusmock stand-ins, so every page
works end to end (unit restarts, restart/power off, tuned profiles, the console keymap)
without touching the host."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.platform import detect
from ovirt_node.core.resources import copy_demo_root
from ovirt_node.core.root import Root
from ovirt_node.demo.bus import (
    SYSTEMD_BUS_NAME,
    SYSTEMD_PATH,
    add_systemd_extras,
    private_dbus,
    spawn_dbusmock,
)
from ovirt_node.demo.templates import hostnamed_mock, localed_mock, networkmanager_mock, tuned_mock
from ovirt_node.system.keymaps import keymaps_on_disk
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.system.tuned_profiles import profiles_on_disk, read_active_file

#: The address the demo's DHCP interface (eth0) has "leased" (a documentation address).
DEMO_LEASE = "192.0.2.50/24"


@dataclass(frozen=True)
class DemoNode:
    root: Path
    bus: str


def _vconsole_keymap(root: Path) -> str:
    path = root / "etc/vconsole.conf"
    lines = path.read_text().splitlines() if path.exists() else []
    return next((line.split("=", 1)[1].strip("\"'") for line in lines if line.startswith("KEYMAP=")), "us")


def demo_units(node: Root) -> set[str]:
    from ovirt_node.areas.registry import all_sections
    from ovirt_node.core.context import Context

    units = set(detect(node).units.values())
    ctx = Context(root=node)
    for section in all_sections():
        if section.platform_names:
            units.update(section.platform(ctx).units.values())
    return units


@contextmanager
def demo_node(keep_root: bool = False) -> Iterator[DemoNode]:
    root = Path(tempfile.mkdtemp(prefix="ovirt-node-demo."))
    copy_demo_root(root)
    try:
        with ExitStack() as stack:
            address = stack.enter_context(private_dbus())
            systemd = stack.enter_context(spawn_dbusmock(address, "systemd", SYSTEMD_BUS_NAME, SYSTEMD_PATH))
            add_systemd_extras(systemd.mock)
            # Every unit the engine may restart on this platform (ovirt_node/data/platforms), and the
            # installed plugins' daemons (their sections' platform names).
            for unit in sorted(demo_units(Root.at(root))):
                systemd.mock.AddMockUnit(unit)
            stack.enter_context(spawn_dbusmock(address, "logind", "org.freedesktop.login1", "/org/freedesktop/login1"))
            # tuned and localed know what the demo root has installed, and write its files as they do.
            node = Root.at(root)
            profiles = [(p.name, p.summary) for p in profiles_on_disk(node)]
            stack.enter_context(tuned_mock(address, profiles, read_active_file(node) or "", root))
            keymaps = [k.name for k in keymaps_on_disk(node)]
            stack.enter_context(localed_mock(address, _vconsole_keymap(root), keymaps, root))
            # NetworkManager knows the demo machine's NICs; hostnamed writes the demo root's
            # etc/hostname. The host's own network is never asked or touched.
            nics = [n.name for n in load_profile(profile_path("demo")).physical_nics()]
            # eth0 is the demo's DHCP connection: NetworkManager shows it the lease's address.
            stack.enter_context(networkmanager_mock(address, nics, {"eth0": [DEMO_LEASE]}))
            hostname = (root / "etc/hostname").read_text().strip() if (root / "etc/hostname").exists() else "demo"
            stack.enter_context(hostnamed_mock(address, hostname, root))
            yield DemoNode(root, address)
    finally:
        if not keep_root:
            shutil.rmtree(root, ignore_errors=True)
