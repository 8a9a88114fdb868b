"""python-dbusmock template: systemd-hostnamed (org.freedesktop.hostname1), for the tests and the demo.

dbusmock ships no hostnamed template. Parameters (JSON): "hostname" (the current name);
"root": a directory standing in for / where SetStaticHostname writes etc/hostname, as
hostnamed does. A name hostnamed would refuse (not a valid host name) is refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import dbus
import dbus.exceptions

BUS_NAME = "org.freedesktop.hostname1"
MAIN_OBJ = "/org/freedesktop/hostname1"
MAIN_IFACE = "org.freedesktop.hostname1"
SYSTEM_BUS = True

_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_VALID = re.compile(rf"(?=.{{1,64}}$){_LABEL}(\.{_LABEL})*")


def _set(mock: Any, prop: str, name: str) -> None:
    if name and not _VALID.fullmatch(name):
        raise dbus.exceptions.DBusException(f"Invalid hostname '{name}'", name="org.freedesktop.DBus.Error.InvalidArgs")
    mock.Set(MAIN_IFACE, prop, dbus.String(name))
    if prop == "StaticHostname" and mock.hostnamed_root:
        path = Path(mock.hostnamed_root, "etc/hostname")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name + "\n")


def load(mock: Any, parameters: dict[str, Any]) -> None:
    name = str(parameters.get("hostname", "localhost"))
    mock.hostnamed_root = str(parameters.get("root") or "")
    mock.hostnamed_set = _set
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary({
        "Hostname": dbus.String(name),
        "StaticHostname": dbus.String(name),
        "PrettyHostname": dbus.String(""),
    }, signature="sv"))
    mock.AddMethods(MAIN_IFACE, [
        ("SetStaticHostname", "sb", "", "self.hostnamed_set(self, 'StaticHostname', str(args[0]))"),
        ("SetHostname", "sb", "", "self.hostnamed_set(self, 'Hostname', str(args[0]))"),
        ("SetPrettyHostname", "sb", "", f"self.Set({MAIN_IFACE!r}, 'PrettyHostname', args[0])"),
    ])
