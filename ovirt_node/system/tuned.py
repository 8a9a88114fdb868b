"""tuned, the tuning daemon, over its D-Bus API: bus name com.redhat.tuned, object /Tuned,
interface com.redhat.tuned.control (what it keeps on disk: `ovirt_node.system.tuned_profiles`).
"""

from __future__ import annotations

import logging
from typing import Any

import dbus
import dbus.exceptions

from ovirt_node.system.dbusclient import BusClient, describe, open_bus
from ovirt_node.system.tuned_profiles import Profile

log = logging.getLogger(__name__)

BUS_NAME = "com.redhat.tuned"
OBJECT_PATH = "/Tuned"
CONTROL_IFACE = "com.redhat.tuned.control"
CALL_TIMEOUT = 60.0  # switching applies the whole profile (sysctl, disks, CPUs): it can take a while


class TunedError(RuntimeError):
    """tuned could not be reached, or refused the request."""


class Tuned(BusClient):
    """tuned's control interface on one D-Bus connection; build it with :meth:`connect`."""

    @classmethod
    def connect(cls, address: str | None = None) -> Tuned:
        """A private connection: None = the system bus, otherwise a D-Bus address."""
        return cls(*open_bus(address, TunedError))

    def _call(self, method: str, signature: str = "", *args: Any) -> Any:
        log.info("tuned: %s(%s)", method, ", ".join(repr(a) for a in args))
        try:
            return self._bus.call_blocking(BUS_NAME, OBJECT_PATH, CONTROL_IFACE, method, signature, args,
                                           timeout=CALL_TIMEOUT)
        except dbus.exceptions.DBusException as exc:
            raise TunedError(f"tuned on {self._where}: {method} failed: {describe(exc)}") from exc

    def profiles(self) -> list[Profile]:
        """Every profile tuned knows, with its summary where tuned offers one (profiles2)."""
        try:
            pairs = self._call("profiles2")
        except TunedError:  # tuned before 2.10 has only the names
            return [Profile(str(name)) for name in self._call("profiles")]
        return [Profile(str(name), str(summary)) for name, summary in pairs]

    def active_profile(self) -> str:
        """The active profile's name; "" while tuning is off."""
        return str(self._call("active_profile"))

    def switch_profile(self, name: str) -> None:
        reply = self._call("switch_profile", "s", name)
        # tuned 2.x answers (success, message); the oldest versions a bare boolean.
        ok, message = (bool(reply[0]), str(reply[1])) if isinstance(reply, tuple | list) else (bool(reply), "")
        if not ok:
            raise TunedError(f"tuned refused the profile {name!r}: {message or 'no reason given'}")

    def disable(self) -> None:
        """Turn tuning off (tuned stops and forgets the active profile)."""
        if not bool(self._call("disable")):
            raise TunedError("tuned refused to turn tuning off")
