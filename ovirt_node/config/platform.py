"""Names that differ between the distributions a node image is built from.

The map lives in `data/platforms/<id>.json`: `el.json` holds every name (the EL family is
the default), and another platform names a `base` and lists only what differs. Sections ask
by role (`platform.unit("ssh")`, `platform.path("kdump")`, `platform.tool("grub-install")`),
never by distribution.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from ovirt_node.system.machine import data_dir
from ovirt_node.system.root import Root

DEFAULT = "el"
#: os-release IDs (ID, then ID_LIKE) -> platform file.
_BY_OS_ID = {"debian": "debian", "ubuntu": "debian"}


class PlatformError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Platform:
    id: str
    units: Mapping[str, str]
    paths: Mapping[str, str]
    tools: Mapping[str, str]

    def _look_up(self, table: Mapping[str, str], kind: str, role: str) -> str:
        try:
            return table[role]
        except KeyError:
            raise PlatformError(f"platform {self.id!r} has no {kind} for {role!r} (data/platforms)") from None

    def unit(self, role: str) -> str:
        return self._look_up(self.units, "unit", role)

    def path(self, role: str) -> str:
        return self._look_up(self.paths, "path", role)

    def tool(self, role: str) -> str:
        return self._look_up(self.tools, "tool", role)


@cache
def load(platform_id: str) -> Platform:
    """The platform `platform_id`, its base's names overlaid with its own."""
    data = json.loads((data_dir() / "platforms" / f"{platform_id}.json").read_text())
    tables: dict[str, dict[str, str]] = {"units": {}, "paths": {}, "tools": {}}
    if data.get("base"):
        base = load(data["base"])
        tables = {"units": dict(base.units), "paths": dict(base.paths), "tools": dict(base.tools)}
    for name, table in tables.items():
        table.update(data.get(name, {}))
    return Platform(data["id"], *(MappingProxyType(tables[n]) for n in ("units", "paths", "tools")))


def detect(root: Root) -> Platform:
    """Pick by `/etc/os-release` under the root (ID, then ID_LIKE); the EL family otherwise."""
    try:
        text = root("/etc/os-release").read_text()
    except OSError:
        return load(DEFAULT)
    fields = dict(
        line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#")
    )
    ids = " ".join(fields.get(k, "").strip('"') for k in ("ID", "ID_LIKE")).split()
    return load(next((_BY_OS_ID[i] for i in ids if i in _BY_OS_ID), DEFAULT))
