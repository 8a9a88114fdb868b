"""python-dbusmock template added on top of dbusmock's `networkmanager` template (with the
Mock interface's AddTemplate): what it lacks and the node's network apply needs.

- Manager: CheckpointCreate / CheckpointDestroy / CheckpointRollback /
  CheckpointAdjustRollbackTimeout and the Checkpoints property. A checkpoint remembers the
  state of its devices; a rollback (asked for, or when the rollback timeout passes, as
  NetworkManager does on its own) puts those states back and is recorded in the manager's
  `MockRollbacks` property ("asked:PATH" or "timeout:PATH") for tests to see.
- Settings: LoadConnections (keyfiles are parsed; a connection per file is added, updated,
  or removed when its file is gone) and ReloadConnections.

Parameters (JSON): "devices": interface names to add as ethernet devices, activated.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

import dbus
import dbus.exceptions
import dbusmock

MANAGER_OBJ = "/org/freedesktop/NetworkManager"
MANAGER_IFACE = "org.freedesktop.NetworkManager"
SETTINGS_OBJ = "/org/freedesktop/NetworkManager/Settings"
SETTINGS_IFACE = "org.freedesktop.NetworkManager.Settings"
DEVICE_IFACE = "org.freedesktop.NetworkManager.Device"
CHECKPOINT_IFACE = "org.freedesktop.NetworkManager.Checkpoint"
IP4_IFACE = "org.freedesktop.NetworkManager.IP4Config"
ACTIVATED = 100
_INVALID = "org.freedesktop.NetworkManager.InvalidArguments"


def _checkpoints(manager: Any) -> list[str]:
    return [str(p) for p in manager.Get(MANAGER_IFACE, "Checkpoints")]


def _set_checkpoints(manager: Any, paths: list[str]) -> None:
    manager.Set(MANAGER_IFACE, "Checkpoints", dbus.Array(paths, signature="o"))


def _create(manager: Any, devices: list[str], timeout: int, _flags: int) -> str:
    from gi.repository import GLib  # type: ignore[import-not-found]  # the mock's stand-in

    manager.ovn_count += 1
    path = f"{MANAGER_OBJ}/Checkpoint/{manager.ovn_count}"
    devices = [str(d) for d in devices] or [str(d) for d in manager.Get(MANAGER_IFACE, "Devices")]
    states = {d: int(dbusmock.get_object(d).Get(DEVICE_IFACE, "State")) for d in devices}
    manager.ovn_states[path] = states
    manager.AddObject(path, CHECKPOINT_IFACE, {
        "Devices": dbus.Array(devices, signature="o"), "RollbackTimeout": dbus.UInt32(timeout),
        "Created": dbus.Int64(0)}, [])
    _set_checkpoints(manager, [*_checkpoints(manager), path])
    if timeout:
        GLib.timeout_add(int(timeout) * 1000, lambda: _expire(manager, path))
    return path


def _forget(manager: Any, path: str) -> dict[str, int]:
    if path not in _checkpoints(manager):
        raise dbus.exceptions.DBusException(f"checkpoint {path} does not exist", name=_INVALID)
    _set_checkpoints(manager, [p for p in _checkpoints(manager) if p != path])
    manager.RemoveObject(path)
    states: dict[str, int] = manager.ovn_states.pop(path)
    return states


def _rollback(manager: Any, path: str, why: str = "asked") -> dict[str, int]:
    states = _forget(manager, path)
    for device, state in states.items():
        dbusmock.get_object(device).Set(DEVICE_IFACE, "State", dbus.UInt32(state))
    rollbacks = [str(r) for r in manager.Get(MANAGER_IFACE, "MockRollbacks")]
    manager.Set(MANAGER_IFACE, "MockRollbacks", dbus.Array([*rollbacks, f"{why}:{path}"], signature="s"))
    return {d: 0 for d in states}


def _expire(manager: Any, path: str) -> bool:
    if path in _checkpoints(manager):
        _rollback(manager, path, "timeout")
    return False


def _adjust(manager: Any, path: str, timeout: int) -> None:
    if path not in _checkpoints(manager):
        raise dbus.exceptions.DBusException(f"checkpoint {path} does not exist", name=_INVALID)


def _load(settings: Any, filenames: list[str]) -> tuple[bool, list[str]]:
    failed: list[str] = []
    for filename in (str(f) for f in filenames):
        known = settings.ovn_files.get(filename)
        if not Path(filename).exists():
            if known is not None:
                dbusmock.get_object(known).ConnectionDelete(dbusmock.get_object(known))
                del settings.ovn_files[filename]
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(filename)
            conn = parser["connection"]
            values = {"id": conn["id"], "uuid": conn["uuid"], "type": conn["type"],
                      "interface-name": conn.get("interface-name", "")}
        except (configparser.Error, KeyError):
            failed.append(filename)
            continue
        if known is not None:
            dbusmock.get_object(known).settings = {"connection": values}
        else:
            settings.ovn_files[filename] = str(settings.SettingsAddConnection({"connection": values}))
    return True, failed


def load(mock: Any, parameters: dict[str, Any]) -> None:
    manager = dbusmock.get_object(MANAGER_OBJ)
    manager.ovn_count = 0
    manager.ovn_states = {}
    manager.AddProperty(MANAGER_IFACE, "Checkpoints", dbus.Array([], signature="o"))
    manager.AddProperty(MANAGER_IFACE, "MockRollbacks", dbus.Array([], signature="s"))
    manager.ovn_create, manager.ovn_rollback, manager.ovn_forget, manager.ovn_adjust = (
        _create, _rollback, _forget, _adjust)
    manager.AddMethods(MANAGER_IFACE, [
        ("CheckpointCreate", "aouu", "o", "ret = self.ovn_create(self, args[0], args[1], args[2])"),
        ("CheckpointDestroy", "o", "", "self.ovn_forget(self, str(args[0]))"),
        ("CheckpointRollback", "o", "a{su}", "ret = self.ovn_rollback(self, str(args[0]))"),
        ("CheckpointAdjustRollbackTimeout", "ou", "", "self.ovn_adjust(self, str(args[0]), args[1])"),
    ])
    settings = dbusmock.get_object(SETTINGS_OBJ)
    settings.ovn_files = {}
    settings.ovn_load = _load
    settings.AddMethods(SETTINGS_IFACE, [
        ("LoadConnections", "as", "bas", "ret = self.ovn_load(self, args[0])"),
        ("ReloadConnections", "", "b", "ret = True"),
    ])
    leases = [str(item).split("=", 1) for item in parameters.get("addresses", [])]  # "eth0=ADDR/PREFIX"
    for number, name in enumerate(parameters.get("devices", [])):
        path = str(manager.AddEthernetDevice(str(name), str(name), ACTIVATED))
        addresses = [address for device, address in leases if device == name]
        if addresses:
            _give_addresses(manager, dbusmock.get_object(path), number, addresses)


def _give_addresses(manager: Any, device: Any, number: int, addresses: list[str]) -> None:
    """The device's IP4Config, as NetworkManager shows a DHCP lease: AddressData."""
    config = f"/org/freedesktop/NetworkManager/IP4Config/{number + 1}"
    data = dbus.Array([dbus.Dictionary({"address": dbus.String(a.split("/")[0]),
                                        "prefix": dbus.UInt32(int(a.split("/")[1]))}, signature="sv")
                       for a in addresses], signature="a{sv}")
    manager.AddObject(config, IP4_IFACE, {"AddressData": data}, [])
    device.AddProperty(DEVICE_IFACE, "Ip4Config", dbus.ObjectPath(config))
