"""systemd-hostnamed (org.freedesktop.hostname1): the host name, over D-Bus."""

from __future__ import annotations

import logging
from typing import Any

import dbus.exceptions

from ovirt_node.system.dbusclient import BusClient, describe, open_bus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.hostname1"
OBJECT_PATH = "/org/freedesktop/hostname1"
IFACE = "org.freedesktop.hostname1"
CALL_TIMEOUT = 25.0


class HostnamedError(RuntimeError):
    """hostnamed could not be reached, or refused the name."""


class Hostnamed(BusClient):
    @classmethod
    def connect(cls, address: str | None = None) -> Hostnamed:
        return cls(*open_bus(address, HostnamedError))

    def _call(self, iface: str, method: str, signature: str, *args: Any) -> Any:
        log.info("hostnamed: %s(%s)", method, ", ".join(repr(a) for a in args))
        try:
            return self._bus.call_blocking(BUS_NAME, OBJECT_PATH, iface, method, signature, args,
                                           timeout=CALL_TIMEOUT)
        except dbus.exceptions.DBusException as exc:
            raise HostnamedError(f"hostnamed on {self._where}: {method} failed: {describe(exc)}") from exc

    def static_hostname(self) -> str:
        return str(self._call("org.freedesktop.DBus.Properties", "Get", "ss", IFACE, "StaticHostname"))

    def set_hostname(self, name: str) -> None:
        """The static name (written to /etc/hostname by hostnamed) and the running one."""
        self._call(IFACE, "SetStaticHostname", "sb", name, False)
        self._call(IFACE, "SetHostname", "sb", name, False)
