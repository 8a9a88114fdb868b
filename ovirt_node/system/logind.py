"""Reboot and power off through systemd-logind (org.freedesktop.login1) over D-Bus.

Only ``call_blocking`` with explicit signatures is used: no proxy objects, so nothing is
introspected and no service is auto-started by asking for it.  ``interactive`` is always False:
the TUI cannot answer a polkit agent's question, so logind must decide on its own (root may).
"""

from __future__ import annotations

import logging
from typing import Any

import dbus
import dbus.bus
import dbus.exceptions

from ovirt_node.system.dbusclient import BusClient, describe, open_bus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
MANAGER_IFACE = "org.freedesktop.login1.Manager"

CALL_TIMEOUT = 25.0

#: D-Bus errors meaning "nobody answers on that name", as opposed to logind saying no.
_NOT_RUNNING = frozenset(
    {
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.NameHasNoOwner",
    }
)


class LogindError(RuntimeError):
    """logind could not be reached or refused the request."""


class Logind(BusClient):
    """Client for logind's manager on one D-Bus connection; build it with :meth:`connect`.

    Usable as a context manager; :meth:`close` drops the private connection.
    """

    @classmethod
    def connect(cls, address: str | None = None) -> Logind:
        """Open a private connection: ``None`` = the system bus, otherwise a D-Bus address."""
        return cls(*open_bus(address, LogindError))

    def _call(self, what: str, method: str, signature: str, *args: Any, outcome: str = "refused") -> Any:
        """Call a Manager method; errors read "{what} {outcome}: reason" ("reboot refused: …")."""
        log.info("logind: %s(%s)", method, ", ".join(repr(a) for a in args))
        try:
            reply = self._bus.call_blocking(
                BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method, signature, args, timeout=CALL_TIMEOUT
            )
        except dbus.exceptions.DBusException as exc:
            log.warning("logind: %s failed: %s", method, describe(exc))
            if exc.get_dbus_name() in _NOT_RUNNING:
                raise LogindError(f"{what} failed: logind is not running on {self._where} ({describe(exc)})") from exc
            raise LogindError(f"{what} {outcome}: {describe(exc)}") from exc
        log.debug("logind: %s -> %r", method, reply)
        return reply

    def reboot(self) -> None:
        """Ask logind to reboot now (non-interactive: no polkit prompt)."""
        self._call("reboot", "Reboot", "b", False)

    def power_off(self) -> None:
        """Ask logind to power off now (non-interactive: no polkit prompt)."""
        self._call("power off", "PowerOff", "b", False)

    def can_reboot(self) -> str:
        """logind's answer: "yes", "no", "challenge" (needs authentication) or "na"."""
        return str(self._call("asking whether reboot is allowed", "CanReboot", "", outcome="failed"))

    def can_power_off(self) -> str:
        """logind's answer: "yes", "no", "challenge" (needs authentication) or "na"."""
        return str(self._call("asking whether power off is allowed", "CanPowerOff", "", outcome="failed"))
