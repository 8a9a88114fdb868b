"""The storage layout as a value: partitions, the HostVG volume group, its logical volumes,
their filesystems, and the commands that would make them. Pure planning, no effects.

The boot disk gets a GPT with a BIOS boot partition and an EFI system partition, so it boots
under BIOS and UEFI alike, and one LVM partition for the rest; every other disk one LVM
partition. HostVG holds the two image slots (Root, RootBackup), Config (the persistence
store), Logging (/var/log), Swap and Data (/data). Devices are named by their by-id path
whenever udev made one, so the commands cannot land on a disk whose /dev/sdX name moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ovirt_node.installer.plan import sizes as S
from ovirt_node.installer.plan.disks import describe, volume_groups_on
from ovirt_node.system.machine.model import Disk, Machine

VG_NAME = "HostVG"
MIB = 1024 * 1024
EXTENT = 4  # MiB: LVM's default extent; every LV is rounded up to it
#: GPT keeps 1 MiB at the start (alignment) and its backup copy at the end.
GPT_OVERHEAD = 2
#: What a PV keeps for its metadata area (rounded to an extent).
PV_OVERHEAD = EXTENT


class LayoutError(ValueError):
    """The layout cannot be made: sizes below minimums, or disks too small (by how much)."""


@dataclass(frozen=True)
class Partition:
    disk: Disk
    number: int
    name: str
    size_mib: int
    type_code: str  # sgdisk's short type code
    purpose: str

    @property
    def device(self) -> str:
        return partition_device(self.disk, self.number)


@dataclass(frozen=True)
class Volume:
    name: str
    size_mib: int  # for the filling volume: what is left at planning time
    fs: str
    label: str
    mount: str
    fill: bool = False

    @property
    def device(self) -> str:
        return f"/dev/{VG_NAME}/{self.name}"


class DeviceNames(Protocol):
    """How partitions and volumes are reached: by stable names on a node; by loop devices
    where tests stand in for a disk and for LVM."""

    def partition(self, disk: Disk, number: int) -> str: ...

    def volume(self, name: str) -> str: ...


class StableNames:
    def partition(self, disk: Disk, number: int) -> str:
        return partition_device(disk, number)

    def volume(self, name: str) -> str:
        return f"/dev/{VG_NAME}/{name}"


STABLE_NAMES = StableNames()


def partition_device(disk: Disk, number: int) -> str:
    """The stable name of partition `number` of `disk` (by-id `-partN`, else the kernel's)."""
    if disk.by_id:
        return f"{disk.by_id}-part{number}"
    separator = "p" if disk.path[-1].isdigit() else ""
    return f"{disk.path}{separator}{number}"


def _numbers(partitions: Sequence[str]) -> list[int]:
    """Partition numbers from kernel names: `sda2` -> 2, `nvme0n1p3` -> 3."""
    numbers = []
    for name in partitions:
        digits = len(name) - len(name.rstrip("0123456789"))
        if digits:
            numbers.append(int(name[-digits:]))
    return numbers


def _extents(mib: int) -> int:
    return -(-mib // EXTENT) * EXTENT


@dataclass(frozen=True)
class Layout:
    boot_disk: Disk
    disks: tuple[Disk, ...]
    partitions: tuple[Partition, ...]
    volumes: tuple[Volume, ...]
    vg_size_mib: int
    #: Volume groups found on the disks, removed before partitioning (a reinstall's HostVG).
    old_volume_groups: tuple[str, ...] = ()

    @property
    def physical_volumes(self) -> list[str]:
        return [p.device for p in self.partitions if p.type_code == "8E00"]

    @property
    def esp(self) -> Partition:
        return next(p for p in self.partitions if p.type_code == "EF00")

    def volume(self, name: str) -> Volume:
        return next(v for v in self.volumes if v.name == name)

    def describe(self) -> str:
        lines = ["Disks (everything on them will be erased):"]
        for disk in self.disks:
            role = "boot disk" if disk == self.boot_disk else "data disk"
            lines.append(f"  {describe(disk)}  {disk.size_bytes / MIB / 1024:.1f} GiB  {disk.bus}  ({role})")
        lines.append("Partitions (GPT):")
        for p in self.partitions:
            lines.append(f"  {p.device}  {p.size_mib} MiB  {p.purpose}")
        lines.append(f"Volume group {VG_NAME}: {self.vg_size_mib} MiB")
        for v in self.volumes:
            size = f"rest ({v.size_mib} MiB)" if v.fill else f"{v.size_mib} MiB"
            where = f"  on {v.mount}" if v.mount else ""
            lines.append(f"  {v.name:<11} {size:<18} {v.fs:<5} label {v.label}{where}")
        return "\n".join(lines)

    def wipe_commands(self, names: DeviceNames | None = None) -> list[list[str]]:
        return wipe_commands(self.disks, names or STABLE_NAMES)

    def partition_commands(self) -> list[list[str]]:
        cmds = []
        for disk in self.disks:
            new = ["sgdisk"]
            for p in (p for p in self.partitions if p.disk == disk):
                end = "0" if p.type_code == "8E00" else f"+{p.size_mib}M"
                new += ["-n", f"{p.number}:0:{end}", "-t", f"{p.number}:{p.type_code}", "-c", f"{p.number}:{p.name}"]
            cmds.append([*new, disk.by_id or disk.path])
        return cmds

    def volume_group_commands(self) -> list[list[str]]:
        return remove_volume_group_commands(self.old_volume_groups)

    def volume_commands(self) -> list[list[str]]:
        pvs = self.physical_volumes
        cmds = [["pvcreate", "--force", "--force", "--yes", *pvs], ["vgcreate", "--yes", VG_NAME, *pvs]]
        for v in self.volumes:
            size = ["--extents", "100%FREE"] if v.fill else ["--size", f"{v.size_mib}m"]
            cmds.append(["lvcreate", "--yes", "--wipesignatures", "y", "--name", v.name, *size, VG_NAME])
        return cmds

    def format_commands(self, names: DeviceNames | None = None) -> list[list[str]]:
        names = names or STABLE_NAMES
        esp = self.esp
        cmds = [["mkfs.vfat", "-F", "32", "-n", "EFI", names.partition(esp.disk, esp.number)]]
        for v in self.volumes:
            device = names.volume(v.name)
            if v.fs == "swap":
                cmds.append(["mkswap", "-L", v.label, device])
            else:
                cmds.append(["mkfs.ext4", "-q", "-F", "-L", v.label, device])
        return cmds

    def commands(self) -> list[list[str]]:
        """Every command that makes this layout, in order."""
        return [*self.volume_group_commands(), *self.wipe_commands(), *self.partition_commands(),
                ["udevadm", "settle"], *self.volume_commands(), *self.format_commands()]


def wipe_commands(disks: Sequence[Disk], names: DeviceNames) -> list[list[str]]:
    """Old partitions' signatures first (they would reappear with same-offset new ones), then
    the disks' own, then the partition tables."""
    cmds: list[list[str]] = []
    for disk in disks:
        device = disk.by_id or disk.path
        for number in _numbers(disk.partitions):
            cmds.append(["wipefs", "--all", "--force", names.partition(disk, number)])
        cmds += [["wipefs", "--all", "--force", device], ["sgdisk", "--zap-all", device]]
    return cmds


def remove_volume_group_commands(groups: Sequence[str]) -> list[list[str]]:
    cmds = []
    for vg in groups:
        cmds += [["vgchange", "--activate", "n", vg], ["vgremove", "--force", "--force", "--yes", vg]]
    return cmds


def plan(machine: Machine, disks: Sequence[Disk], sizes: S.Sizes) -> Layout:
    """The layout for installing on `disks` (the first is the boot disk) with `sizes`."""
    if not disks:
        raise LayoutError("no disk selected")
    problems = sizes.problems()
    if problems:
        raise LayoutError("; ".join(problems))
    boot = disks[0]
    partitions: list[Partition] = []
    usable = 0
    for disk in disks:
        disk_mib = disk.size_bytes // MIB
        fixed = [("BIOSBOOT", S.BIOS_BOOT_SIZE, "EF02", "BIOS boot"),
                 ("EFI", S.EFI_SIZE, "EF00", "EFI system (vfat, label EFI)")] if disk == boot else []
        for number, (name, size, code, purpose) in enumerate(fixed, 1):
            partitions.append(Partition(disk, number, name, size, code, purpose))
        pv_mib = disk_mib - GPT_OVERHEAD - sum(size for _, size, _, _ in fixed)
        if pv_mib <= PV_OVERHEAD:
            raise LayoutError(f"{describe(disk)}: {disk_mib} MiB is too small to hold anything")
        partitions.append(Partition(disk, len(fixed) + 1, VG_NAME, pv_mib, "8E00", f"LVM physical volume ({VG_NAME})"))
        usable += (pv_mib - PV_OVERHEAD) // EXTENT * EXTENT
    swap = sizes.swap_mib(machine.memory_bytes)
    volumes = [
        Volume("Root", _extents(sizes.root), "ext4", "Root", ""),
        Volume("RootBackup", _extents(sizes.root), "ext4", "RootBackup", ""),
        Volume("Config", _extents(sizes.config), "ext4", "CONFIG", "/config"),
        Volume("Logging", _extents(sizes.logging), "ext4", "LOGGING", "/var/log"),
    ]
    if swap:
        volumes.append(Volume("Swap", _extents(swap), "swap", "SWAP", ""))
    fixed_total = sum(v.size_mib for v in volumes)
    data_need = {S.FILL: S.MIN_DATA, 0: 0}.get(sizes.data, _extents(sizes.data))
    needed = fixed_total + data_need
    if needed > usable:
        parts = ", ".join(f"{v.name} {v.size_mib}" for v in volumes)
        data_text = f", Data {'at least ' if sizes.data == S.FILL else ''}{data_need}" if data_need else ""
        raise LayoutError(
            f"the selected disks are too small by {needed - usable} MiB: {VG_NAME} would hold {usable} MiB, "
            f"the layout needs {needed} MiB ({parts}{data_text} MiB)"
        )
    if sizes.data == S.FILL:
        volumes.append(Volume("Data", usable - fixed_total, "ext4", "DATA", "/data", fill=True))
    elif sizes.data:
        volumes.append(Volume("Data", _extents(sizes.data), "ext4", "DATA", "/data"))
    return Layout(boot, tuple(disks), tuple(partitions), tuple(volumes), usable,
                  tuple(volume_groups_on(machine, disks)))
