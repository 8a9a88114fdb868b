"""Which disks to install on (`storage_init=` or the operator's pick) and whether that is safe.

Disks are named by stable identity — by-id path, serial, bus:serial, largest/smallest — so a
PXE rule keeps meaning the same disk when `/dev/sdX` names move between boots. Every refusal
names the disk and the reason; nothing is touched before the whole selection passes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ovirt_node.system.machine.model import Disk, Machine, natural_key

BUSES = frozenset({"ata", "scsi", "usb", "virtio", "nvme", "cciss", "mmc", "xen"})
#: VG tags that mark an oVirt/RHV storage domain (vdsm's and older ones): never wiped.
STORAGE_DOMAIN_TAGS = frozenset({"RHAT_storage_domain", "storage_domain"})
#: blkid types of firmware ("fake") RAID metadata; md's own linux_raid_member is not fakeraid.
FAKERAID_SUFFIX = "_raid_member"
#: Holders this installer makes itself (a reinstall takes them down): HostVG.
OWN_HOLDERS = frozenset({"HostVG"})


class DiskSelectionError(ValueError):
    """A disk specification that matches nothing usable, or a selection that is unsafe."""


def describe(disk: Disk) -> str:
    """How a disk is named in messages: its path plus what identifies it for good."""
    ident = disk.by_id or (f"serial {disk.serial}" if disk.serial else None)
    return f"{disk.path} ({ident})" if ident else disk.path


def _multipath_device(name: str, paths: Sequence[Disk]) -> Disk:
    """The /dev/mapper device of multipath map `name`, built from its paths: one LUN, so one
    size; what any path has (holders above the map, mounts, swap, signatures) it has."""
    def merged(attr: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v for p in paths for v in getattr(p, attr)))

    return paths[0]._replace(name=name, path=f"/dev/mapper/{name}", by_id=None, partitions=(),
                             removable=any(p.removable for p in paths), readonly=any(p.readonly for p in paths),
                             is_boot_media=any(p.is_boot_media for p in paths), multipath=None,
                             holders=tuple(h for h in merged("holders") if h != name),
                             mountpoints=merged("mountpoints"), signatures=merged("signatures"))


def shown(machine: Machine) -> list[Disk]:
    """Every disk as the installer offers it: a multipath LUN once, as its /dev/mapper device
    where its first path stands, never its paths (as 3.x did)."""
    paths: dict[str, list[Disk]] = {}
    for disk in machine.disks:
        if disk.multipath:
            paths.setdefault(disk.multipath, []).append(disk)
    found: list[Disk] = []
    for disk in machine.disks:
        if not disk.multipath:
            found.append(disk)
        elif paths[disk.multipath][0] is disk and machine.disk(disk.multipath) is None:
            found.append(_multipath_device(disk.multipath, paths[disk.multipath]))
    return found


def offered(machine: Machine, disk: Disk) -> Disk:
    """`disk` as the installer offers it: a multipath path becomes its map's device."""
    if not disk.multipath:
        return disk
    return next((d for d in shown(machine) if d.name == disk.multipath), disk)


def path_names(machine: Machine, disk: Disk) -> set[str]:
    """The kernel names `disk` stands for: itself, and the paths of a multipath device."""
    return {disk.name} | {d.name for d in machine.disks if d.multipath == disk.name}


def candidates(machine: Machine) -> list[Disk]:
    """Disks one could install on: not the boot media, writable; fixed disks first, by name."""
    usable = [d for d in shown(machine) if not d.is_boot_media and not d.readonly]
    return sorted(usable, key=lambda d: (d.removable, natural_key(d.name)))


def _match(machine: Machine, token: str, everything: bool = False) -> list[Disk]:
    """Disks `token` names; `largest`, `smallest` and the bus forms pick among the candidates
    only (or among every disk with `everything`, to explain a miss)."""
    disks = shown(machine)
    pool = disks if everything else candidates(machine)
    if token in ("largest", "smallest"):
        if not pool:
            return []
        pick = max if token == "largest" else min
        return [pick(pool, key=lambda d: (d.size_bytes, -pool.index(d)))]
    # A multipath path named by the kernel's name or its own serial means its map's device.
    every = list(dict.fromkeys(offered(machine, d) for d in machine.disks))
    if token.startswith("serial:"):
        return [d for d in every if d.serial == token[len("serial:"):]]
    if token.startswith("/dev/disk/by-id/"):
        return [d for d in every if d.by_id == token]
    if token.startswith("/dev/"):
        hits = [d for d in machine.disks if d.path == token or f"/dev/{d.name}" == token]
        return list(dict.fromkeys(offered(machine, d) for d in hits)) or [
            d for d in disks if d.path == token or f"/dev/{d.name}" == token]
    bus, _, serial = token.partition(":")
    if bus in BUSES:
        on_bus = [d for d in pool if d.bus == bus]
        if not serial:
            return on_bus[:1]
        if serial.upper() == "ALL":
            return on_bus
        return [d for d in on_bus if _serial_matches(d, bus, serial)]
    return []


#: The `-HOST:LUN` udev's usb-storage ID_SERIAL ends with (3.x's documented
#: `usb:Generic_STORAGE_DEVICE_0000145418-0:0`).
_LUN_SUFFIX = re.compile(r"-\d+:\d+$")


def _serial_matches(disk: Disk, bus: str, serial: str) -> bool:
    """`serial` is the disk's serial or its udev ID_SERIAL (vendor_model_serial, for USB with
    the `-0:0` suffix; its by-id link is `BUS-ID_SERIAL`)."""
    if disk.by_id == f"/dev/disk/by-id/{bus}-{serial}":
        return True
    if not disk.serial:
        return False
    bare = _LUN_SUFFIX.sub("", serial)
    return disk.serial in (serial, bare) or bare.endswith("_" + disk.serial)


def select(machine: Machine, spec: str | None) -> list[Disk]:
    """The disks `storage_init=` names: comma-separated entries, each a `/dev/…` path, a
    `/dev/disk/by-id/…` path, `serial:XYZ`, `BUS[:SERIAL|:ALL]`, `largest` or `smallest`; no
    value means the first candidate disk. Raises DiskSelectionError naming the entry."""
    if spec is None or not spec.strip():
        pool = candidates(machine)
        if not pool:
            raise DiskSelectionError("no disk to install on: every disk is the boot media or read-only")
        return pool[:1]
    if ";" in spec:
        raise DiskSelectionError("storage_init: a second volume group (disks after ';') is not supported; "
                                 "list every disk before the ';'")
    chosen: list[Disk] = []
    for token in (t.strip() for t in spec.split(",")):
        if not token:
            continue
        found = _match(machine, token)
        if not found:
            unusable = ", ".join(describe(d) for d in _match(machine, token, everything=True))
            why = f": it matches only {unusable}, the boot media or read-only" if unusable else ""
            raise DiskSelectionError(f"storage_init: no disk matches {token!r}{why}")
        chosen += [d for d in found if d not in chosen]
    if not chosen:
        raise DiskSelectionError(f"storage_init: no disk named in {spec!r}")
    return chosen


def refusals(machine: Machine, disks: Sequence[Disk], wipe_fakeraid: bool = False) -> list[str]:
    """Why installing on `disks` would be unsafe, one sentence each (empty: safe)."""
    found: list[str] = []
    names = {n for d in disks for n in path_names(machine, d)}
    known_vgs = {vg.name for vg in machine.volume_groups}
    for disk in disks:
        label = describe(disk)
        if disk.is_boot_media:
            found.append(f"{label}: it holds the boot media this installer runs from")
            continue
        if disk.multipath:
            found.append(f"{label}: it is one path of multipath device /dev/mapper/{disk.multipath}; "
                         "choose that device instead")
        # Known volume groups have their own rules below; anything else on top of the disk
        # (a VG LVM did not report, a crypt or md device, a map) is someone's data.
        foreign = [h for h in disk.holders if h not in OWN_HOLDERS | known_vgs and h != disk.multipath]
        if foreign:
            found.append(f"{label}: it is in use by {', '.join(foreign)}, which this installer did not create; "
                         "it is never wiped (remove it first)")
        if disk.readonly:
            found.append(f"{label}: it is read-only")
        mounted = [m for m in disk.mountpoints if m != "[SWAP]"]
        if mounted:
            found.append(f"{label}: it has mounted filesystems ({', '.join(mounted)}); unmount them first")
        if "[SWAP]" in disk.mountpoints:
            found.append(f"{label}: it holds active swap; run swapoff first")
        fakeraid = [s for s in disk.signatures if s.endswith(FAKERAID_SUFFIX) and s != "linux_raid_member"]
        if fakeraid and not wipe_fakeraid:
            found.append(f"{label}: it carries firmware RAID metadata ({', '.join(fakeraid)}); "
                         "add wipe_fakeraid to erase it")
    for vg in machine.volume_groups:
        if not names & set(vg.disks):
            continue
        domain = STORAGE_DOMAIN_TAGS & set(vg.tags)
        if domain:
            on = ", ".join(describe(d) for d in disks if path_names(machine, d) & set(vg.disks))
            found.append(f"{on}: part of volume group {vg.name}, a storage domain ({', '.join(sorted(domain))}); "
                         "it is never wiped")
            continue
        outside = [d for d in vg.disks if d not in names]
        if outside:
            found.append(f"volume group {vg.name} also spans {', '.join(outside)}, which is not selected; "
                         "select it too or remove the volume group first")
    return found


def own_refusals(machine: Machine, disk: Disk, wipe_fakeraid: bool = False) -> list[str]:
    """Why `disk` can never be chosen, whatever else is selected (boot media, read-only,
    mounted, swap, fakeraid, a storage domain): what a disk list shows it disabled with.
    Rules about the selection as a whole (a VG spanning unselected disks) are left out."""
    label = describe(disk)
    return [r for r in refusals(machine, [disk], wipe_fakeraid) if r.startswith(label)]


def volume_groups_on(machine: Machine, disks: Iterable[Disk]) -> list[str]:
    """Names of the volume groups living on these disks (to be removed before partitioning)."""
    names = {n for d in disks for n in path_names(machine, d)}
    return [vg.name for vg in machine.volume_groups if names & set(vg.disks)]
