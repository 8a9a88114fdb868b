"""The machine probed from the running system: sysfs, udev, ethtool, lsblk, LVM, /proc."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ovirt_node.core.root import HOST, Root
from ovirt_node.core.run import run
from ovirt_node.system.machine.model import (
    Disk,
    Firmware,
    Machine,
    Nic,
    Runner,
    VolumeGroup,
    natural_key,
)

LSBLK_COLUMNS = "NAME,PATH,SIZE,TYPE,TRAN,MODEL,SERIAL,VENDOR,RM,ROTA,RO,FSTYPE,MOUNTPOINT"


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


def _multipath(children: Iterable[Mapping[str, Any]]) -> str | None:
    """The multipath map on top of a path disk (lsblk lists it as the disk's `mpath` child)."""
    return next((str(c.get("name")) for c in children if c.get("type") == "mpath" and c.get("name")), None)


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
                multipath=_multipath(children),
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
