"""The built-in demo node: a copy of data/demo-root, the demo machine profile, and a private
D-Bus whose systemd and logind are python-dbusmock stand-ins, so every page works end to end
(unit restarts, restart/power off) without touching the host."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.config.platform import detect
from ovirt_node.system.machine import data_dir
from ovirt_node.system.mockbus import (
    SYSTEMD_BUS_NAME,
    SYSTEMD_PATH,
    add_systemd_extras,
    private_dbus,
    spawn_dbusmock,
)
from ovirt_node.system.root import Root


@dataclass(frozen=True)
class DemoNode:
    root: Path
    bus: str


@contextmanager
def demo_node(keep_root: bool = False) -> Iterator[DemoNode]:
    root = Path(tempfile.mkdtemp(prefix="ovirt-node-demo."))
    shutil.copytree(data_dir() / "demo-root", root, symlinks=True, dirs_exist_ok=True)
    try:
        with ExitStack() as stack:
            address = stack.enter_context(private_dbus())
            systemd = stack.enter_context(spawn_dbusmock(address, "systemd", SYSTEMD_BUS_NAME, SYSTEMD_PATH))
            add_systemd_extras(systemd.mock)
            # Every unit the engine may restart on this platform (data/platforms).
            for unit in sorted(set(detect(Root.at(root)).units.values())):
                systemd.mock.AddMockUnit(unit)
            stack.enter_context(spawn_dbusmock(address, "logind", "org.freedesktop.login1", "/org/freedesktop/login1"))
            yield DemoNode(root, address)
    finally:
        if not keep_root:
            shutil.rmtree(root, ignore_errors=True)
