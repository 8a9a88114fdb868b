"""Names that differ between the distributions a node image is built from.

The map lives in `ovirt_node/data/platforms/<id>.json`: `el.json` holds every name (the EL family is
the default), and another platform names a `base` and lists only what differs. Sections ask
by role (`platform.unit("ssh")`, `platform.path("kdump")`, `platform.tool("grub-install")`),
never by distribution.

A plugin brings the names of its own daemons the same way, as data (`PlatformNames`, the
JSON files' shape by platform id) that `Platform.extended` lays over the node's platform.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.core.resources import data_path
from ovirt_node.core.root import Root

DEFAULT = "el"
#: os-release IDs (ID, then ID_LIKE) -> platform file.
_BY_OS_ID = {"debian": "debian", "ubuntu": "debian"}


#: A plugin's names in the shape of the JSON files: {platform id: {"units"|"paths"|"tools": {role: name}}}.
PlatformNames = Mapping[str, Mapping[str, Mapping[str, str]]]


class PlatformError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class Platform(NamedTuple):
    id: str
    units: Mapping[str, str]
    paths: Mapping[str, str]
    tools: Mapping[str, str]
    #: This platform's ids from the base up (("el", "debian") for Debian): whose names apply.
    chain: tuple[str, ...] = ()

    def extended(self, names: PlatformNames) -> Platform:
        """This platform with a plugin's names added: those of each id in `chain`, the base's
        first, so a plugin also lists only what differs on a derived platform."""
        tables = {"units": dict(self.units), "paths": dict(self.paths), "tools": dict(self.tools)}
        for platform_id in self.chain or (self.id,):
            for table, entries in names.get(platform_id, {}).items():
                if table not in tables:
                    raise PlatformError(f"platform names: unknown table {table!r} (units, paths or tools)")
                tables[table].update(entries)
        units, paths, tools = (MappingProxyType(tables[n]) for n in ("units", "paths", "tools"))
        return self._replace(units=units, paths=paths, tools=tools)

    def _look_up(self, table: Mapping[str, str], kind: str, role: str) -> str:
        try:
            return table[role]
        except KeyError:
            raise PlatformError(
                f"platform {self.id!r} has no {kind} for {role!r} (ovirt_node/data/platforms)") from None

    def unit(self, role: str) -> str:
        return self._look_up(self.units, "unit", role)

    def path(self, role: str) -> str:
        return self._look_up(self.paths, "path", role)

    def tool(self, role: str) -> str:
        return self._look_up(self.tools, "tool", role)


@cache
def load(platform_id: str) -> Platform:
    """The platform `platform_id`, its base's names overlaid with its own."""
    data = json.loads(data_path("platforms", f"{platform_id}.json").read_text())
    tables: dict[str, dict[str, str]] = {"units": {}, "paths": {}, "tools": {}}
    chain: tuple[str, ...] = ()
    if data.get("base"):
        base = load(data["base"])
        tables = {"units": dict(base.units), "paths": dict(base.paths), "tools": dict(base.tools)}
        chain = base.chain
    for name, table in tables.items():
        table.update(data.get(name, {}))
    units, paths, tools = (MappingProxyType(tables[n]) for n in ("units", "paths", "tools"))
    return Platform(data["id"], units, paths, tools, chain=(*chain, data["id"]))


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
