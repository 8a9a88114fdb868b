"""What the machine has: network interfaces, disks, memory, firmware and CPU.

One model, two sources: `probe()` looks at the real machine (sysfs and procfs through a Root,
``lsblk`` through a runner, the ``ethtool`` module on the host), `load_profile()` reads a JSON
profile from ``data/machines/`` for the demo and the tests.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from ovirt_node.system.root import HOST, Root
from ovirt_node.system.run import Result, run

#: Every kind of network interface we tell apart.
NIC_KINDS = frozenset({"ethernet", "wireless", "loopback", "bridge", "bond", "vlan", "virtual"})
#: Kinds that are not a piece of hardware the user would cable up.
HIDDEN_NIC_KINDS = frozenset({"loopback", "bridge", "bond", "vlan", "virtual"})
FIRMWARES: tuple[str, ...] = ("bios", "uefi")

Firmware = Literal["bios", "uefi"]
#: A `run`-like callable: takes an argv list, gives a Result.
Runner = Callable[[Sequence[str]], Result]

#: Environment variable that points at the data directory (the one holding ``machines/``).
DATA_ENV = "OVIRT_NODE_DATA"
#: Where an installed node (the image) keeps the data directory.
INSTALLED_DATA = Path("/usr/share/ovirt-node")

LSBLK_COLUMNS = "NAME,PATH,SIZE,TYPE,TRAN,MODEL,SERIAL,VENDOR,RM,ROTA,RO,FSTYPE,MOUNTPOINT"

_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2})+$")
_DIGITS_RE = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[str | int, ...]:
    """`eth2` before `eth10`."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS_RE.split(name))


@dataclass(frozen=True)
class Nic:
    name: str
    mac: str
    driver: str | None
    bus_info: str | None
    vendor: str | None
    model: str | None
    link: bool
    speed_mbps: int | None
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in NIC_KINDS:
            raise ValueError(f"unknown NIC kind {self.kind!r} for {self.name}")

    @property
    def is_physical(self) -> bool:
        return self.kind not in HIDDEN_NIC_KINDS


@dataclass(frozen=True)
class Disk:
    name: str
    path: str
    size_bytes: int
    #: ata, scsi, usb, virtio, nvme, mmc, xen or unknown (the udev ID_BUS idea).
    bus: str
    model: str | None
    serial: str | None
    vendor: str | None
    #: The preferred /dev/disk/by-id/… path, when udev made one.
    by_id: str | None
    removable: bool
    rotational: bool
    readonly: bool
    #: lsblk's TRAN (sata, usb, nvme, fc, iscsi, sas …), None when it has none (virtio-blk).
    transport: str | None
    partitions: tuple[str, ...] = ()
    #: What sits on top: LVM volume group names, multipath maps, crypt/raid devices.
    holders: tuple[str, ...] = ()
    #: The medium this system was booted from (the installer must not offer it).
    is_boot_media: bool = False
    #: Where the disk or its partitions are mounted now; "[SWAP]" for active swap.
    mountpoints: tuple[str, ...] = ()
    #: On-disk signatures of the disk and its partitions (blkid TYPE: LVM2_member,
    #: isw_raid_member, ext4 ...): what `wipefs` would erase.
    signatures: tuple[str, ...] = ()


@dataclass(frozen=True)
class VolumeGroup:
    """An LVM volume group found on the machine: its tags (a storage domain carries one) and
    the disks its physical volumes live on."""

    name: str
    tags: tuple[str, ...]
    disks: tuple[str, ...]


@dataclass(frozen=True)
class Machine:
    name: str
    nics: tuple[Nic, ...]
    disks: tuple[Disk, ...]
    memory_bytes: int
    firmware: Firmware
    cpu_model: str
    cpus: int
    #: The CPU has vmx or svm.
    virt_hw: bool
    volume_groups: tuple[VolumeGroup, ...] = ()

    def __post_init__(self) -> None:
        if self.firmware not in FIRMWARES:
            raise ValueError(f"unknown firmware {self.firmware!r}")

    def physical_nics(self) -> list[Nic]:
        """The NICs a user would pick from: no loopback, bridge, bond, vlan or virtual; by name."""
        return sorted((nic for nic in self.nics if nic.is_physical), key=lambda nic: natural_key(nic.name))

    def nic(self, name: str) -> Nic | None:
        return next((nic for nic in self.nics if nic.name == name), None)

    def disk(self, name: str) -> Disk | None:
        """The disk called `name` (``sda``) or with that device path (``/dev/sda``)."""
        return next((disk for disk in self.disks if name in (disk.name, disk.path)), None)


# --------------------------------------------------------------------------------------------
# Profiles
# --------------------------------------------------------------------------------------------


class ProfileError(ValueError):
    """A machine profile that cannot be read or does not match the schema."""

    def __init__(self, path: str | Path, field: str | None, message: str) -> None:
        self.path = str(path)
        self.field = field
        self.message = message
        where = f"{self.path}: {field}" if field else self.path
        super().__init__(f"{where}: {message}")


def data_dir() -> Path:
    """The data directory: $OVIRT_NODE_DATA, ``data/`` next to the package in a source tree, or
    the installed one (the package installed from its wheel has no source tree beside it)."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    source = Path(__file__).resolve().parents[2] / "data"
    return source if source.is_dir() or not INSTALLED_DATA.is_dir() else INSTALLED_DATA


def profile_path(name: str) -> Path:
    """The file of the shipped profile `name` (``demo`` → ``data/machines/demo.json``)."""
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
)
_VG_FIELDS = ("name", "tags", "disks")
_MACHINE_FIELDS = ("name", "nics", "disks", "memory_bytes", "firmware", "cpu_model", "cpus", "virt_hw",
                   "volume_groups")


def _nic_from(path: Path, where: str, obj: object) -> Nic:
    f = _Fields(path, where, obj, _NIC_FIELDS)
    mac = f.text("mac").lower()
    if not _MAC_RE.match(mac):
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


# --------------------------------------------------------------------------------------------
# Probing the real machine
# --------------------------------------------------------------------------------------------


def _read(root: Root, path: str) -> str | None:
    """A small sysfs/procfs file, stripped; None when missing or unreadable (EINVAL on a down link)."""
    try:
        return root(path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def _readlink_name(root: Root, path: str) -> str | None:
    """The last component of a symlink's target (``device/driver`` → ``e1000e``)."""
    try:
        return os.path.basename(os.readlink(root(path)).rstrip("/")) or None
    except OSError:
        return None


def _key_values(text: str | None, sep: str = "=") -> dict[str, str]:
    values: dict[str, str] = {}
    for line in (text or "").splitlines():
        key, found, value = line.partition(sep)
        if found:
            values[key.strip()] = value.strip()
    return values


def _ethtool_info(name: str) -> tuple[str | None, str | None]:
    """(driver, bus_info) from the ethtool module; (None, None) where it has nothing to say."""
    try:
        import ethtool
    except ImportError:
        return None, None
    driver: str | None = None
    bus_info: str | None = None
    try:
        driver = str(ethtool.get_module(name)) or None
    except (OSError, ValueError):
        pass
    try:
        bus_info = str(ethtool.get_businfo(name)) or None
    except (OSError, ValueError):
        pass
    return driver, bus_info


def _vlan_names(root: Root) -> set[str]:
    """Interface names listed in /proc/net/vlan/config (``eth0.100 | 100 | eth0``)."""
    names: set[str] = set()
    for line in (_read(root, "/proc/net/vlan/config") or "").splitlines():
        fields = [field.strip() for field in line.split("|")]
        if len(fields) == 3 and fields[1].isdigit():
            names.add(fields[0])
    return names


def _nic_kind(root: Root, name: str, base: str, uevent: Mapping[str, str], vlans: set[str]) -> str:
    devtype = uevent.get("DEVTYPE", "")
    if _read(root, f"{base}/type") == "772" or name == "lo":
        return "loopback"
    if root(f"{base}/bonding").is_dir() or devtype == "bond":
        return "bond"
    # libvirt's NAT bridge and the guests' tap devices belong to libvirt, not to the node's setup.
    if name.startswith(("virbr", "vnet")):
        return "virtual"
    if root(f"{base}/bridge").is_dir() or devtype == "bridge":
        return "bridge"
    if name in vlans or devtype == "vlan":
        return "vlan"
    if root(f"{base}/wireless").is_dir() or os.path.lexists(root(f"{base}/phy80211")) or devtype == "wlan":
        return "wireless"
    if not os.path.lexists(root(f"{base}/device")):
        # tun/tap, veth, dummy and the like have no device behind them.
        return "virtual"
    return "ethernet"


def _nic_bus_info(root: Root, base: str) -> str | None:
    """The bus address of the device behind the interface (the PCI function for virtio_net)."""
    device = root(f"{base}/device")
    if not os.path.lexists(device):
        return None
    try:
        real = device.resolve()
        real.relative_to(root.prefix.resolve())
    except (OSError, ValueError):
        return _readlink_name(root, f"{base}/device")
    if real.name.startswith("virtio") and real.parent.name != "":
        return real.parent.name
    return real.name


def _udev_properties(root: Root, ifindex: str | None) -> dict[str, str]:
    if not ifindex or not ifindex.isdigit():
        return {}
    props: dict[str, str] = {}
    for line in (_read(root, f"/run/udev/data/n{ifindex}") or "").splitlines():
        if line.startswith("E:"):
            key, _, value = line[2:].partition("=")
            props[key] = value
    return props


def _probe_nic(root: Root, name: str, vlans: set[str]) -> Nic:
    base = f"/sys/class/net/{name}"
    uevent = _key_values(_read(root, f"{base}/uevent"))
    kind = _nic_kind(root, name, base, uevent, vlans)
    # A bond slave shows the bond's address; the permanent one is what is printed on the card.
    mac = (_read(root, f"{base}/bonding_slave/perm_hwaddr") or _read(root, f"{base}/address") or "").lower()
    carrier = _read(root, f"{base}/carrier")
    link = carrier == "1" if carrier is not None else _read(root, f"{base}/operstate") == "up"
    speed: int | None = None
    text = _read(root, f"{base}/speed")
    if link and text is not None and text.lstrip("-").isdigit():
        value = int(text)
        # -1 (and 2**32-1 on old kernels) mean "unknown".
        speed = value if 0 < value < 0xFFFFFFFF else None
    driver: str | None = None
    bus_info: str | None = None
    if root.is_host:
        # The ethtool module asks the running kernel by name, so it only describes the host.
        driver, bus_info = _ethtool_info(name)
    driver = driver or _readlink_name(root, f"{base}/device/driver")
    bus_info = bus_info or _nic_bus_info(root, base)
    udev = _udev_properties(root, _read(root, f"{base}/ifindex"))
    vendor = udev.get("ID_VENDOR_FROM_DATABASE") or _read(root, f"{base}/device/vendor") or None
    model = udev.get("ID_MODEL_FROM_DATABASE") or _read(root, f"{base}/device/device") or None
    return Nic(
        name=name,
        mac=mac,
        driver=driver,
        bus_info=bus_info,
        vendor=vendor,
        model=model,
        link=link,
        speed_mbps=speed,
        kind=kind,
    )


def _probe_nics(root: Root) -> tuple[Nic, ...]:
    folder = root("/sys/class/net")
    if not folder.is_dir():
        return ()
    vlans = _vlan_names(root)
    # Skip plain files such as bonding_masters; the interfaces are (links to) directories.
    names = sorted((entry.name for entry in folder.iterdir() if entry.is_dir()), key=natural_key)
    return tuple(_probe_nic(root, name, vlans) for name in names)


def probe_nics(root: Root = HOST) -> tuple[Nic, ...]:
    """Only the NICs of the machine under `root` (sysfs there; none when it has no sysfs)."""
    return _probe_nics(root)


#: by-id name prefixes, best first; links of other kinds (dm-, lvm-pv-uuid-, md-) never name a disk.
_BY_ID_PREFERENCE = ("wwn-", "ata-", "scsi-", "virtio-", "nvme-", "usb-", "mmc-", "memstick-", "ieee1394-")


def _by_id_rank(link: str) -> tuple[int, int, str]:
    for rank, prefix in enumerate(_BY_ID_PREFERENCE):
        if link.startswith(prefix):
            # Among NVMe names, the model_serial form reads better than eui./nvme. identifiers.
            opaque = int(link[len(prefix) :].startswith(("eui.", "nvme.")))
            return rank, opaque, link
    return len(_BY_ID_PREFERENCE), 0, link


def _by_id_links(root: Root) -> dict[str, str]:
    """Device name → its preferred /dev/disk/by-id/ path."""
    folder = root("/dev/disk/by-id")
    best: dict[str, str] = {}
    try:
        entries = list(folder.iterdir())
    except OSError:
        return best
    for entry in entries:
        link = entry.name
        if "-part" in link or _by_id_rank(link)[0] == len(_BY_ID_PREFERENCE):
            continue
        try:
            target = os.path.basename(os.readlink(entry))
        except OSError:
            continue
        if target not in best or _by_id_rank(link) < _by_id_rank(best[target]):
            best[target] = link
    return {device: f"/dev/disk/by-id/{link}" for device, link in best.items()}


#: Where dracut's dmsquash-live mounts the boot medium.
_LIVE_MOUNTS = ("/run/initramfs/live", "/dev/.initramfs/live")


def _boot_devices(root: Root) -> set[str]:
    """Block device names (disk or partition) that hold the medium this system booted from."""
    found: set[str] = set()
    live = _readlink_name(root, "/dev/live")
    if live:
        found.add(live)
    for line in (_read(root, "/proc/mounts") or "").splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[1] in _LIVE_MOUNTS and fields[0].startswith("/dev/"):
            found.add(_readlink_name(root, fields[0]) or os.path.basename(fields[0]))
    return found


def _lsblk_bool(value: object) -> bool:
    # lsblk ≥ 2.33 gives JSON booleans; older ones "0"/"1" strings.
    return value is True or value == 1 or value in ("1", "true")


def _lsblk_int(value: object) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return 0


def _lsblk_str(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _lvm_vg(dm_name: str) -> str:
    """The volume group of an LVM device-mapper name; ``-`` in VG/LV names is doubled there."""
    i = 0
    while i < len(dm_name):
        if dm_name[i] == "-":
            if dm_name[i + 1 : i + 2] == "-":
                i += 2
                continue
            return dm_name[:i].replace("--", "-")
        i += 1
    return dm_name.replace("--", "-")


def _holders(children: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    for child in children:
        kind = str(child.get("type") or "")
        name = str(child.get("name") or "")
        if kind == "lvm" and name:
            yield _lvm_vg(name)
        elif kind not in ("part", "lvm") and name:
            yield name
        yield from _holders(child.get("children") or ())


_TRAN_BUS = {
    "sata": "ata",
    "ata": "ata",
    "pata": "ata",
    "usb": "usb",
    "nvme": "nvme",
    "virtio": "virtio",
    "sas": "scsi",
    "fc": "scsi",
    "iscsi": "scsi",
    "spi": "scsi",
    "srp": "scsi",
    "mmc": "mmc",
}
_NAME_BUS = (("vd", "virtio"), ("nvme", "nvme"), ("sd", "scsi"), ("mmcblk", "mmc"), ("xvd", "xen"))


def _disk_bus(name: str, transport: str | None) -> str:
    if transport and transport in _TRAN_BUS:
        return _TRAN_BUS[transport]
    for prefix, bus in _NAME_BUS:
        if name.startswith(prefix):
            return bus
    return transport or "unknown"


def _subtree(dev: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield dev
    for child in dev.get("children") or ():
        yield from _subtree(child)


def _probe_disks(root: Root, runner: Runner) -> tuple[Disk, ...]:
    result = runner(["lsblk", "--json", "--bytes", "-o", LSBLK_COLUMNS])
    tree: Any = json.loads(result.stdout or "{}")
    by_id = _by_id_links(root)
    boot = _boot_devices(root)
    disks: list[Disk] = []
    for dev in tree.get("blockdevices") or ():
        name = _lsblk_str(dev.get("name"))
        size = _lsblk_int(dev.get("size"))
        # zram is swap in RAM; a size of 0 is an empty card reader slot.
        if dev.get("type") != "disk" or not name or name.startswith("zram") or size == 0:
            continue
        children: list[Mapping[str, Any]] = list(dev.get("children") or ())
        partitions = tuple(str(c.get("name")) for c in children if c.get("type") == "part" and c.get("name"))
        transport = _lsblk_str(dev.get("tran"))
        disks.append(
            Disk(
                name=name,
                path=_lsblk_str(dev.get("path")) or f"/dev/{name}",
                size_bytes=size,
                bus=_disk_bus(name, transport),
                model=_lsblk_str(dev.get("model")),
                serial=_lsblk_str(dev.get("serial")),
                vendor=_lsblk_str(dev.get("vendor")),
                by_id=by_id.get(name),
                removable=_lsblk_bool(dev.get("rm")),
                rotational=_lsblk_bool(dev.get("rota")),
                readonly=_lsblk_bool(dev.get("ro")),
                transport=transport,
                partitions=partitions,
                holders=tuple(dict.fromkeys(_holders(children))),
                is_boot_media=bool(boot & {name, *partitions}),
                mountpoints=tuple(dict.fromkeys(m for d in _subtree(dev) if (m := _lsblk_str(d.get("mountpoint"))))),
                signatures=tuple(dict.fromkeys(t for d in _subtree(dev) if (t := _lsblk_str(d.get("fstype"))))),
            )
        )
    return tuple(disks)


def _probe_volume_groups(root: Root, runner: Runner) -> tuple[VolumeGroup, ...]:
    """LVM's own view (tags included); none when LVM is not installed or finds nothing."""
    try:
        result = runner(["vgs", "--reportformat", "json", "--noheadings", "-o", "vg_name,vg_tags,pv_name"])
        report: Any = json.loads(result.stdout or "{}")
    except (OSError, ValueError, RuntimeError):
        return ()
    groups: dict[str, tuple[set[str], list[str]]] = {}
    for entry in (report.get("report") or [{}])[0].get("vg") or ():
        name = str(entry.get("vg_name") or "")
        if not name:
            continue
        tags, disks = groups.setdefault(name, (set(), []))
        tags.update(t for t in str(entry.get("vg_tags") or "").split(",") if t)
        pv = str(entry.get("pv_name") or "")
        disk = _parent_disk(root, os.path.basename(pv)) if pv else ""
        if disk and disk not in disks:
            disks.append(disk)
    return tuple(VolumeGroup(n, tuple(sorted(t)), tuple(d)) for n, (t, d) in groups.items())


def _parent_disk(root: Root, name: str) -> str:
    """The disk a partition belongs to (sysfs knows: a partition's directory sits in its
    disk's); a whole disk is its own."""
    entry = root(f"/sys/class/block/{name}")
    if (entry / "partition").exists():
        return entry.resolve().parent.name
    return name


def _memory_bytes(root: Root) -> int:
    total = _key_values(_read(root, "/proc/meminfo"), ":").get("MemTotal", "")
    number, _, unit = total.partition(" ")
    if not number.isdigit():
        return 0
    return int(number) * (1024 if unit.strip().lower() == "kb" else 1)


def _cpu(root: Root) -> tuple[str, int, bool]:
    """(model, logical CPUs, vmx/svm present) from /proc/cpuinfo."""
    model = ""
    count = 0
    virt = False
    for line in (_read(root, "/proc/cpuinfo") or "").splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "processor":
            count += 1
        elif key == "model name" and not model:
            model = value
        elif key == "flags" and not virt:
            virt = bool({"vmx", "svm"} & set(value.split()))
    return model or "unknown", max(count, 1), virt


def probe(root: Root = HOST, runner: Runner = run) -> Machine:
    """Describe the machine under `root` (sysfs/procfs/dev read there; lsblk through `runner`).

    ``lsblk`` always reports the running kernel's disks, so a test under a temporary root passes
    a fake runner; the ethtool module is only asked when `root` is the host.
    """
    cpu_model, cpus, virt_hw = _cpu(root)
    firmware: Firmware = "uefi" if root("/sys/firmware/efi").is_dir() else "bios"
    hostname = _read(root, "/proc/sys/kernel/hostname") or _read(root, "/etc/hostname") or "localhost"
    return Machine(
        name=hostname,
        nics=_probe_nics(root),
        disks=_probe_disks(root, runner),
        memory_bytes=_memory_bytes(root),
        firmware=firmware,
        cpu_model=cpu_model,
        cpus=cpus,
        virt_hw=virt_hw,
        volume_groups=_probe_volume_groups(root, runner),
    )
