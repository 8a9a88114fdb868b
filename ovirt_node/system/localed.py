"""systemd-localed (org.freedesktop.locale1): the console keymap, over D-Bus.

localed writes /etc/vconsole.conf itself when the keymap is set. It has no method that lists
keymaps (`localectl list-keymaps` reads the keymap directories; see `ovirt_node.system.keymaps`).
`interactive` is always False: the TUI cannot answer a polkit agent, so localed decides alone.
"""

from __future__ import annotations

import logging
from typing import Any

import dbus
import dbus.exceptions

from ovirt_node.system.dbusclient import BusClient, describe, open_bus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.locale1"
OBJECT_PATH = "/org/freedesktop/locale1"
IFACE = "org.freedesktop.locale1"
PROPERTIES_IFACE = "org.freedesktop.DBus.Properties"
CALL_TIMEOUT = 25.0


class LocaledError(RuntimeError):
    """localed could not be reached, or refused the request."""


class Localed(BusClient):
    """localed on one D-Bus connection; build it with :meth:`connect`."""

    @classmethod
    def connect(cls, address: str | None = None) -> Localed:
        """A private connection: None = the system bus, otherwise a D-Bus address."""
        return cls(*open_bus(address, LocaledError))

    def _call(self, iface: str, method: str, signature: str, *args: Any) -> Any:
        log.info("localed: %s(%s)", method, ", ".join(repr(a) for a in args))
        try:
            return self._bus.call_blocking(BUS_NAME, OBJECT_PATH, iface, method, signature, args,
                                           timeout=CALL_TIMEOUT)
        except dbus.exceptions.DBusException as exc:
            raise LocaledError(f"localed on {self._where}: {method} failed: {describe(exc)}") from exc

    def vconsole_keymap(self) -> str:
        return str(self._call(PROPERTIES_IFACE, "Get", "ss", IFACE, "VConsoleKeymap"))

    def vconsole_toggle(self) -> str:
        return str(self._call(PROPERTIES_IFACE, "Get", "ss", IFACE, "VConsoleKeymapToggle"))

    def set_vconsole_keyboard(self, keymap: str, toggle: str = "", convert: bool = False) -> None:
        """Set the console keymap (and toggle keymap); `convert` would also change the X11 layout."""
        self._call(IFACE, "SetVConsoleKeyboard", "ssbb", keymap, toggle, convert, False)
