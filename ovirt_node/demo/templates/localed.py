"""python-dbusmock template: systemd-localed (org.freedesktop.locale1), for the tests and the demo.

dbusmock ships no localed template. This one has localed's properties and its three setters;
SetVConsoleKeyboard refuses a keymap that is not installed, as localed does. Parameters (JSON):

- "keymap", "toggle": the current console keymap and toggle keymap
- "keymaps": the installed keymap names (omitted: any name is accepted)
- "root": a directory standing in for /: the mock then also writes KEYMAP= (and KEYMAP_TOGGLE=)
  to etc/vconsole.conf under it, keeping the other lines, as localed does on the real node
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dbus
import dbus.exceptions

BUS_NAME = "org.freedesktop.locale1"
MAIN_OBJ = "/org/freedesktop/locale1"
MAIN_IFACE = "org.freedesktop.locale1"
SYSTEM_BUS = True


def _write_vconsole(root: str, settings: dict[str, str]) -> None:
    path = Path(root, "etc/vconsole.conf")
    lines = path.read_text().splitlines() if path.exists() else []
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in settings]
    kept += [f"{key}={value}" for key, value in settings.items() if value]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in kept))


def _set_vconsole(mock: Any, keymap: str, toggle: str) -> None:
    for name in (keymap, toggle):
        if name and mock.localed_keymaps is not None and name not in mock.localed_keymaps:
            raise dbus.exceptions.DBusException(f"Keymap {name} is not installed.",
                                                name="org.freedesktop.DBus.Error.InvalidArgs")
    mock.Set(MAIN_IFACE, "VConsoleKeymap", dbus.String(keymap))
    mock.Set(MAIN_IFACE, "VConsoleKeymapToggle", dbus.String(toggle))
    if mock.localed_root:
        _write_vconsole(mock.localed_root, {"KEYMAP": keymap, "KEYMAP_TOGGLE": toggle})


def load(mock: Any, parameters: dict[str, Any]) -> None:
    keymaps = parameters.get("keymaps")
    mock.localed_keymaps = None if keymaps is None else {str(k) for k in keymaps}
    mock.localed_root = str(parameters.get("root") or "")
    mock.localed_set_vconsole = _set_vconsole
    mock.AddProperties(MAIN_IFACE, dbus.Dictionary({
        "Locale": dbus.Array(parameters.get("locale", ["LANG=C.UTF-8"]), signature="s"),
        "VConsoleKeymap": dbus.String(parameters.get("keymap", "us")),
        "VConsoleKeymapToggle": dbus.String(parameters.get("toggle", "")),
        "X11Layout": dbus.String(""),
        "X11Model": dbus.String(""),
        "X11Variant": dbus.String(""),
        "X11Options": dbus.String(""),
    }, signature="sv"))
    mock.AddMethods(MAIN_IFACE, [
        ("SetVConsoleKeyboard", "ssbb", "", "self.localed_set_vconsole(self, str(args[0]), str(args[1]))"),
        ("SetLocale", "asb", "", f"self.Set({MAIN_IFACE!r}, 'Locale', dbus.Array(args[0], signature='s'))"),
        ("SetX11Keyboard", "ssssbb", "",
         "".join(f"self.Set({MAIN_IFACE!r}, {p!r}, args[{i}]); "
                 for i, p in enumerate(("X11Layout", "X11Model", "X11Variant", "X11Options")))),
    ])
