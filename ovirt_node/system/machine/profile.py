"""Machine profiles: a machine described in a JSON file (the demo, the tests, `--machine`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from ovirt_node.core.resources import data_dir
from ovirt_node.system.machine.model import (
    FIRMWARES,
    NIC_KINDS,
    Disk,
    Firmware,
    Machine,
    Nic,
    VolumeGroup,
)

_MAC_RE = r"^[0-9a-f]{2}(:[0-9a-f]{2})+$"


class ProfileError(ValueError):
    """A machine profile that cannot be read or does not match the schema."""

    def __init__(self, path: str | Path, field: str | None, message: str) -> None:
        self.path = str(path)
        self.field = field
        self.message = message
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {message}")


def profile_path(name: str) -> Path:
    """The file of the shipped profile `name` (``demo`` → ``ovirt_node/data/machines/demo.json``)."""
    if not name or "/" in name or name.startswith("."):
        raise ValueError(f"not a profile name: {name!r}")
    return data_dir() / "machines" / f"{name}.json"


def profile_names() -> list[str]:
    """The names of the shipped profiles."""
    folder = data_dir() / "machines"
    if not folder.is_dir():
        return []
    return sorted(entry.stem for entry in folder.glob("*.json"))


class _Fields:
    """Typed access to one JSON object of a profile, naming the field in every error."""

    def __init__(self, path: Path, where: str, obj: object, fields: Iterable[str]) -> None:
        self.path = path
        self.where = where
        if not isinstance(obj, dict):
            raise ProfileError(path, where or None, f"expected an object, got {_json_type(obj)}")
        self.obj = cast(dict[str, object], obj)
        self.fields = tuple(fields)
        # Keys starting with "_" are comments; anything else unknown is most likely a typo.
        unknown = [key for key in self.obj if key not in self.fields and not key.startswith("_")]
        if unknown:
            raise ProfileError(path, self._name(unknown[0]), "unknown field")

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def error(self, key: str, message: str) -> ProfileError:
        return ProfileError(self.path, self._name(key), message)

    def _get(self, key: str) -> object:
        if key not in self.obj:
            raise self.error(key, "missing")
        return self.obj[key]

    def _wrong(self, key: str, wanted: str, value: object) -> ProfileError:
        return self.error(key, f"expected {wanted}, got {_json_type(value)}")

    def has(self, key: str) -> bool:
        """Whether an optional field is present (optional fields may be left out)."""
        return key in self.obj

    def text(self, key: str, *, empty: bool = False) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._wrong(key, "a string", value)
        if not empty and not value.strip():
            raise self.error(key, "must not be empty")
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._wrong(key, "a string or null", value)
        return value

    def integer(self, key: str, *, minimum: int = 0) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._wrong(key, "an integer", value)
        if value < minimum:
            raise self.error(key, f"must be at least {minimum}")
        return value

    def opt_integer(self, key: str, *, minimum: int = 0) -> int | None:
        if self._get(key) is None:
            return None
        return self.integer(key, minimum=minimum)

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._wrong(key, "true or false", value)
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        value = self._get(key)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._wrong(key, "a list of strings", value)
        return tuple(cast(list[str], value))

    def items(self, key: str) -> list[object]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self._wrong(key, "a list", value)
        return cast(list[object], value)


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


_NIC_FIELDS = ("name", "mac", "driver", "bus_info", "vendor", "model", "link", "speed_mbps", "kind")
_DISK_FIELDS = (
    "name",
    "path",
    "size_bytes",
    "bus",
    "model",
    "serial",
    "vendor",
    "by_id",
    "removable",
    "rotational",
    "readonly",
    "transport",
    "partitions",
    "holders",
    "is_boot_media",
    "mountpoints",
    "signatures",
    "multipath",
)
_VG_FIELDS = ("name", "tags", "disks")
_MACHINE_FIELDS = ("name", "nics", "disks", "memory_bytes", "firmware", "cpu_model", "cpus", "virt_hw",
                   "volume_groups")


def _nic_from(path: Path, where: str, obj: object) -> Nic:
    f = _Fields(path, where, obj, _NIC_FIELDS)
    mac = f.text("mac").lower()
    if not re.match(_MAC_RE, mac):
        raise f.error("mac", f"not a MAC address: {mac!r}")
    kind = f.text("kind")
    if kind not in NIC_KINDS:
        raise f.error("kind", f"unknown kind {kind!r} (one of {', '.join(sorted(NIC_KINDS))})")
    return Nic(
        name=f.text("name"),
        mac=mac,
        driver=f.opt_text("driver"),
        bus_info=f.opt_text("bus_info"),
        vendor=f.opt_text("vendor"),
        model=f.opt_text("model"),
        link=f.boolean("link"),
        speed_mbps=f.opt_integer("speed_mbps"),
        kind=kind,
    )


def _disk_from(path: Path, where: str, obj: object) -> Disk:
    f = _Fields(path, where, obj, _DISK_FIELDS)
    dev_path = f.text("path")
    if not dev_path.startswith("/dev/"):
        raise f.error("path", f"not a device path: {dev_path!r}")
    by_id = f.opt_text("by_id")
    if by_id is not None and not by_id.startswith("/dev/disk/by-id/"):
        raise f.error("by_id", f"not a /dev/disk/by-id/ path: {by_id!r}")
    return Disk(
        name=f.text("name"),
        path=dev_path,
        size_bytes=f.integer("size_bytes"),
        bus=f.text("bus"),
        model=f.opt_text("model"),
        serial=f.opt_text("serial"),
        vendor=f.opt_text("vendor"),
        by_id=by_id,
        removable=f.boolean("removable"),
        rotational=f.boolean("rotational"),
        readonly=f.boolean("readonly"),
        transport=f.opt_text("transport"),
        partitions=f.texts("partitions"),
        holders=f.texts("holders"),
        is_boot_media=f.boolean("is_boot_media"),
        mountpoints=f.texts("mountpoints") if f.has("mountpoints") else (),
        signatures=f.texts("signatures") if f.has("signatures") else (),
        multipath=f.opt_text("multipath") if f.has("multipath") else None,
    )


def _vg_from(path: Path, where: str, obj: object) -> VolumeGroup:
    f = _Fields(path, where, obj, _VG_FIELDS)
    return VolumeGroup(name=f.text("name"), tags=f.texts("tags"), disks=f.texts("disks"))


def _unique(path: Path, what: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise ProfileError(path, f"{what}[{index}].name", f"duplicate name {name!r}")
        seen.add(name)


def load_profile(path: str | Path) -> Machine:
    """Read and validate a JSON machine profile; ProfileError names the file and the bad field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(path, None, f"cannot read: {exc.strerror or exc}") from exc
    try:
        data: object = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(
            path, None, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from exc
    f = _Fields(path, "", data, _MACHINE_FIELDS)
    firmware = f.text("firmware")
    if firmware not in FIRMWARES:
        raise f.error("firmware", f"unknown firmware {firmware!r} (bios or uefi)")
    nics = tuple(_nic_from(path, f"nics[{i}]", obj) for i, obj in enumerate(f.items("nics")))
    disks = tuple(_disk_from(path, f"disks[{i}]", obj) for i, obj in enumerate(f.items("disks")))
    _unique(path, "nics", (nic.name for nic in nics))
    _unique(path, "disks", (disk.name for disk in disks))
    vgs = f.items("volume_groups") if f.has("volume_groups") else []
    volume_groups = tuple(_vg_from(path, f"volume_groups[{i}]", obj) for i, obj in enumerate(vgs))
    return Machine(
        name=f.text("name"),
        nics=nics,
        disks=disks,
        memory_bytes=f.integer("memory_bytes", minimum=1),
        firmware=cast(Firmware, firmware),
        cpu_model=f.text("cpu_model"),
        cpus=f.integer("cpus", minimum=1),
        virt_hw=f.boolean("virt_hw"),
        volume_groups=volume_groups,
    )
