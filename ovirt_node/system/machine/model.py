"""The machine as values: its NICs, disks, volume groups, memory, firmware and CPU.

They are named tuples (immutable, equal by value, `_replace` for a changed copy), not
dataclasses: the setup TUI loads the machine before its first screen, and each dataclass
costs the start its generated methods' compiles. Nic and Machine check their kind and
firmware when made."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Literal

from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.core.run import Result

NIC_KINDS = frozenset({"ethernet", "wireless", "loopback", "bridge", "bond", "vlan", "virtual"})
#: Kinds that are not a piece of hardware the user would cable up.
HIDDEN_NIC_KINDS = frozenset({"loopback", "bridge", "bond", "vlan", "virtual"})
FIRMWARES: tuple[str, ...] = ("bios", "uefi")

Firmware = Literal["bios", "uefi"]
#: A `run`-like callable: takes an argv list, gives a Result.
Runner = Callable[[Sequence[str]], Result]



_DIGITS_RE = re.compile(r"(\d+)")


def natural_key(name: str) -> tuple[str | int, ...]:
    """`eth2` before `eth10`."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS_RE.split(name))


class _NicFields(NamedTuple):
    name: str
    mac: str
    driver: str | None
    bus_info: str | None
    vendor: str | None
    model: str | None
    link: bool
    speed_mbps: int | None
    kind: str


class Nic(_NicFields):
    __slots__ = ()

    def __new__(cls, name: str, mac: str, driver: str | None, bus_info: str | None, vendor: str | None,
                model: str | None, link: bool, speed_mbps: int | None, kind: str) -> Nic:
        if kind not in NIC_KINDS:
            raise ValueError(f"unknown NIC kind {kind!r} for {name}")
        return super().__new__(cls, name, mac, driver, bus_info, vendor, model, link, speed_mbps, kind)

    @property
    def is_physical(self) -> bool:
        return self.kind not in HIDDEN_NIC_KINDS


class Disk(NamedTuple):
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
    #: The multipath map this disk is one path of (lsblk's `mpath` child): the installer
    #: offers the map's /dev/mapper device once, never a path.
    multipath: str | None = None


class VolumeGroup(NamedTuple):
    """An LVM volume group found on the machine: its tags (a storage domain carries one) and
    the disks its physical volumes live on."""

    name: str
    tags: tuple[str, ...]
    disks: tuple[str, ...]


class _MachineFields(NamedTuple):
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


class Machine(_MachineFields):
    __slots__ = ()

    def __new__(cls, name: str, nics: tuple[Nic, ...], disks: tuple[Disk, ...], memory_bytes: int,
                firmware: Firmware, cpu_model: str, cpus: int, virt_hw: bool,
                volume_groups: tuple[VolumeGroup, ...] = ()) -> Machine:
        if firmware not in FIRMWARES:
            raise ValueError(f"unknown firmware {firmware!r}")
        return super().__new__(cls, name, nics, disks, memory_bytes, firmware, cpu_model, cpus, virt_hw,
                               volume_groups)

    def physical_nics(self) -> list[Nic]:
        """The NICs a user would pick from: no loopback, bridge, bond, vlan or virtual; by name."""
        return sorted((nic for nic in self.nics if nic.is_physical), key=lambda nic: natural_key(nic.name))

    def nic(self, name: str) -> Nic | None:
        return next((nic for nic in self.nics if nic.name == name), None)

    def disk(self, name: str) -> Disk | None:
        """The disk called `name` (``sda``) or with that device path (``/dev/sda``)."""
        return next((disk for disk in self.disks if name in (disk.name, disk.path)), None)
