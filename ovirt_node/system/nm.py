"""NetworkManager over D-Bus: checkpoints, loading keyfiles, activating, waiting for devices.

A change is applied inside a checkpoint (`CheckpointCreate` with a rollback timeout): if the
node loses its operator (the SSH session that made the change is cut off by it), NetworkManager
puts the devices back on its own when the timeout passes. Confirming destroys the checkpoint;
rolling back asks NetworkManager to restore it at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

import dbus
import dbus.exceptions

from ovirt_node.system.dbusclient import BusClient, describe, open_bus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.NetworkManager"
MANAGER_PATH = "/org/freedesktop/NetworkManager"
MANAGER_IFACE = "org.freedesktop.NetworkManager"
SETTINGS_PATH = "/org/freedesktop/NetworkManager/Settings"
SETTINGS_IFACE = "org.freedesktop.NetworkManager.Settings"
DEVICE_IFACE = "org.freedesktop.NetworkManager.Device"
ACTIVE_IFACE = "org.freedesktop.NetworkManager.Connection.Active"
IP4_IFACE = "org.freedesktop.NetworkManager.IP4Config"
IP6_IFACE = "org.freedesktop.NetworkManager.IP6Config"
PROPERTIES_IFACE = "org.freedesktop.DBus.Properties"
CALL_TIMEOUT = 30.0
DEVICE_ACTIVATED = 100
DEVICE_FAILED = 120
ACTIVE_ACTIVATED = 2
ACTIVE_DEACTIVATED = 4
#: CheckpointCreate flags: destroy older checkpoints, and delete connections made after it.
CHECKPOINT_DESTROY_ALL = 0x01
CHECKPOINT_DELETE_NEW_CONNECTIONS = 0x02


class NetworkManagerError(RuntimeError):
    """NetworkManager could not be reached, refused a request, or a device did not come up."""


class NetworkManager(BusClient):
    @classmethod
    def connect(cls, address: str | None = None) -> NetworkManager:
        return cls(*open_bus(address, NetworkManagerError))

    def _call(self, path: str, iface: str, method: str, signature: str, *args: Any) -> Any:
        log.info("NetworkManager: %s(%s)", method, ", ".join(repr(a) for a in args))
        try:
            return self._bus.call_blocking(BUS_NAME, path, iface, method, signature, args, timeout=CALL_TIMEOUT)
        except dbus.exceptions.DBusException as exc:
            raise NetworkManagerError(f"NetworkManager on {self._where}: {method} failed: {describe(exc)}") from exc

    def _get(self, path: str, iface: str, name: str) -> Any:
        return self._call(path, PROPERTIES_IFACE, "Get", "ss", iface, name)

    # -- devices ----------------------------------------------------------------------------

    def device(self, iface: str) -> str | None:
        """The device object of an interface name; None when NetworkManager has none (yet)."""
        for path in self._call(MANAGER_PATH, MANAGER_IFACE, "GetDevices", ""):
            if str(self._get(str(path), DEVICE_IFACE, "Interface")) == iface:
                return str(path)
        return None

    def addresses(self, iface: str) -> list[str]:
        """The IPv4 and IPv6 addresses NetworkManager shows for an interface (`ADDR/PREFIX`:
        a DHCP lease's too); [] when it has no such device or no addresses."""
        path = self.device(iface)
        if path is None:
            return []
        found = []
        for prop, config_iface in (("Ip4Config", IP4_IFACE), ("Ip6Config", IP6_IFACE)):
            try:
                config = str(self._get(path, DEVICE_IFACE, prop))
            except NetworkManagerError:
                continue  # an older NetworkManager, or a mock without it
            if config in ("", "/"):
                continue
            for entry in self._get(config, config_iface, "AddressData"):
                found.append(f"{entry['address']}/{int(entry['prefix'])}")
        return found

    def device_state(self, path: str) -> int:
        return int(self._get(path, DEVICE_IFACE, "State"))

    # -- checkpoints ------------------------------------------------------------------------

    def checkpoint_create(self, devices: Sequence[str], rollback_timeout: int) -> str:
        flags = CHECKPOINT_DESTROY_ALL | CHECKPOINT_DELETE_NEW_CONNECTIONS
        return str(self._call(MANAGER_PATH, MANAGER_IFACE, "CheckpointCreate", "aouu",
                              dbus.Array(devices, signature="o"), rollback_timeout, flags))

    def checkpoint_destroy(self, checkpoint: str) -> None:
        self._call(MANAGER_PATH, MANAGER_IFACE, "CheckpointDestroy", "o", checkpoint)

    def checkpoint_rollback(self, checkpoint: str) -> dict[str, int]:
        result = self._call(MANAGER_PATH, MANAGER_IFACE, "CheckpointRollback", "o", checkpoint)
        return {str(k): int(v) for k, v in dict(result).items()}

    def checkpoints(self) -> list[str]:
        return [str(p) for p in self._get(MANAGER_PATH, MANAGER_IFACE, "Checkpoints")]

    # -- connections ------------------------------------------------------------------------

    def load_connections(self, filenames: Iterable[str]) -> list[str]:
        """(Re)read these keyfiles; a file that is gone removes its connection. Returns the
        files NetworkManager could not load."""
        _ok, failed = self._call(SETTINGS_PATH, SETTINGS_IFACE, "LoadConnections", "as",
                                 dbus.Array(list(filenames), signature="s"))
        return [str(f) for f in failed]

    def connection_by_uuid(self, uuid: str) -> str:
        return str(self._call(SETTINGS_PATH, SETTINGS_IFACE, "GetConnectionByUuid", "s", uuid))

    def activate(self, connection: str, device: str | None) -> str:
        return str(self._call(MANAGER_PATH, MANAGER_IFACE, "ActivateConnection", "ooo",
                              connection, device or "/", "/"))

    def reload(self) -> None:
        """Re-read NetworkManager.conf and its conf.d (the global DNS servers)."""
        self._call(MANAGER_PATH, MANAGER_IFACE, "Reload", "u", 0)

    def wait_activated(self, active: str, device: str | None, timeout: float) -> None:
        """Until the active connection (and its device, if known) is up; raise when it fails
        or `timeout` passes."""
        deadline = time.monotonic() + timeout
        while True:
            state = int(self._get(active, ACTIVE_IFACE, "State"))
            dev_state = self.device_state(device) if device else DEVICE_ACTIVATED
            if state == ACTIVE_ACTIVATED and dev_state == DEVICE_ACTIVATED:
                return
            if state == ACTIVE_DEACTIVATED or dev_state == DEVICE_FAILED:
                raise NetworkManagerError(f"{active} failed to activate (state {state}, device state {dev_state})")
            if time.monotonic() > deadline:
                raise NetworkManagerError(f"{active} was not up within {timeout:.0f} s")
            time.sleep(0.1)
