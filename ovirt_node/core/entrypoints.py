"""Entry points of the installed distributions, read straight from the `*.dist-info` and
`*.egg-info` folders on `sys.path`.

`importlib.metadata` finds the same ones but imports `email` and friends to do it (about
13 ms, a tenth of the setup TUI's whole start-up budget). The rules are the ones it follows:
sys.path in order, one distribution per normalised name (the first found wins), the entry
point value `module[:attr[.attr]] [extras]`. Only folders on sys.path are searched, not
zip files (pip never installs a plugin as one).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from importlib import import_module

#: The entry point group plugins register in (pages and sections).
GROUP = "ovirt_node.plugins"

_VALUE = r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$"
_SUFFIXES = (".dist-info", ".egg-info")


class Distribution:
    """One installed distribution's metadata folder; name and version are read on demand."""

    __slots__ = ("path", "_header")

    def __init__(self, path: str) -> None:
        self.path = path
        self._header: dict[str, str] | None = None

    def _read(self, name: str) -> str | None:
        try:
            with open(os.path.join(self.path, name), encoding="utf-8") as file:
                return file.read()
        except OSError:
            return None

    def header(self, field: str) -> str | None:
        """A field of the metadata's header (Name, Version), or None."""
        if self._header is None:
            text = self._read("METADATA") or self._read("PKG-INFO") or ""
            self._header = {}
            for line in text.splitlines():
                if not line.strip():
                    break  # the description follows the header
                key, sep, value = line.partition(":")
                if sep and not key[:1].isspace():
                    self._header.setdefault(key.strip().lower(), value.strip())
        return self._header.get(field.lower())

    def entry_points(self, group: str) -> Iterator[EntryPoint]:
        """The distribution's entry points in `group`."""
        text = self._read("entry_points.txt") or ""
        if group not in text:  # most distributions have none in ours: their lines are not parsed
            return
        for found, name, value in parse_entry_points(text):
            if found == group:
                yield EntryPoint(name, value, found, self)


def parse_entry_points(text: str) -> Iterator[tuple[str, str, str]]:
    """(group, name, value) of each line of an `entry_points.txt` (INI: `[group]`, then
    `name = value` lines), as installed or inside a wheel's .dist-info."""
    group = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            group = line[1:-1].strip()
        elif group is not None:
            name, _, value = line.partition("=")
            yield group, name.strip(), value.strip()


class EntryPoint:
    __slots__ = ("name", "value", "group", "dist")

    def __init__(self, name: str, value: str, group: str, dist: Distribution) -> None:
        self.name = name
        self.value = value
        self.group = group
        self.dist = dist

    def load(self) -> object:
        """Import the module and follow the attributes the value names."""
        return load_value(self.value)


def load_value(value: str) -> object:
    """What an entry point value (`module[:attr[.attr]] [extras]`) names: the module
    imported, then its attributes followed (ValueError, ImportError, AttributeError)."""
    match = re.match(_VALUE, value)
    if match is None:
        raise ValueError(f"not an entry point value: {value!r}")
    obj: object = import_module(match.group("module"))
    for attr in filter(None, (match.group("attr") or "").split(".")):
        obj = getattr(obj, attr)
    return obj


def _normalized(folder: str) -> str:
    """The project name a metadata folder is for (`Foo.Bar-1.0.dist-info` -> `foo_bar`)."""
    name = folder.rpartition(".")[0].partition("-")[0]
    return re.sub(r"[-_.]+", "_", name).lower()


def distributions() -> Iterator[Distribution]:
    """Every distribution on sys.path, first one of each name only, in sys.path order."""
    seen: set[str] = set()
    for entry in sys.path:
        root = entry or "."
        try:
            names = os.listdir(root)
        except OSError:  # missing, a file, a zip
            continue
        for name in names:
            if not name.lower().endswith(_SUFFIXES):
                continue
            key = _normalized(name)
            if key in seen:
                continue
            seen.add(key)
            yield Distribution(os.path.join(root, name))


def entry_points(group: str) -> list[EntryPoint]:
    return [ep for dist in distributions() for ep in dist.entry_points(group)]
