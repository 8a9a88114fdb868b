"""Our own python-dbusmock templates, for daemons dbusmock has none of (tuned, localed).

Each module here is a dbusmock template (BUS_NAME, MAIN_OBJ, MAIN_IFACE, load()); dbusmock
loads it by file path. The helpers start one on a private bus (see `ovirt_node.demo.bus`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import dbus

from ovirt_node.demo.bus import MockService, spawn_dbusmock

TEMPLATE_DIR = Path(__file__).parent


def template(name: str) -> str:
    """The file dbusmock's --template takes for our template `name`."""
    return str(TEMPLATE_DIR / f"{name}.py")


@contextmanager
def tuned_mock(address: str, profiles: Sequence[tuple[str, str]], active: str = "",
               root: Path | None = None) -> Iterator[MockService]:
    """tuned on the bus at `address` with these (name, summary) profiles."""
    from ovirt_node.demo.templates import tuned

    parameters = {"profiles": [list(p) for p in profiles], "active": active, "root": str(root) if root else ""}
    with spawn_dbusmock(address, template("tuned"), tuned.BUS_NAME, tuned.MAIN_OBJ, json.dumps(parameters)) as svc:
        yield svc


@contextmanager
def localed_mock(address: str, keymap: str = "us", keymaps: Sequence[str] | None = None,
                 root: Path | None = None, toggle: str = "") -> Iterator[MockService]:
    """localed on the bus at `address`; with `keymaps`, other names are refused as not installed."""
    from ovirt_node.demo.templates import localed

    parameters: dict[str, object] = {"keymap": keymap, "toggle": toggle, "root": str(root) if root else ""}
    if keymaps is not None:
        parameters["keymaps"] = list(keymaps)
    with spawn_dbusmock(address, template("localed"), localed.BUS_NAME, localed.MAIN_OBJ,
                        json.dumps(parameters)) as svc:
        yield svc


@contextmanager
def hostnamed_mock(address: str, hostname: str = "localhost", root: Path | None = None) -> Iterator[MockService]:
    """hostnamed on the bus at `address`; with `root`, it writes etc/hostname there."""
    from ovirt_node.demo.templates import hostnamed

    parameters = {"hostname": hostname, "root": str(root) if root else ""}
    with spawn_dbusmock(address, template("hostnamed"), hostnamed.BUS_NAME, hostnamed.MAIN_OBJ,
                        json.dumps(parameters)) as svc:
        yield svc


@contextmanager
def networkmanager_mock(address: str, devices: Sequence[str] = (),
                        addresses: Mapping[str, Sequence[str]] | None = None) -> Iterator[MockService]:
    """dbusmock's NetworkManager with our checkpoint/LoadConnections additions and these
    ethernet devices, up; `addresses` gives devices their IPv4 addresses (`ADDR/PREFIX`, as a
    DHCP lease shows). `svc.mock` is the Mock interface of the manager object."""
    from ovirt_node.system.nm import BUS_NAME, MANAGER_PATH

    leases = dbus.Array([f"{name}={a}" for name, found in (addresses or {}).items() for a in found], signature="s")
    with spawn_dbusmock(address, "networkmanager", BUS_NAME, MANAGER_PATH) as svc:
        svc.mock.AddTemplate(template("nm_checkpoints"), {"devices": dbus.Array(list(devices), signature="s"),
                                                         "addresses": leases})
        yield svc
