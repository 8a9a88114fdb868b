"""The block devices an installation works on: how partitions and volumes are named and how
the volumes come to exist.

On a machine this is LVM on the real disks (`LvmDevices`). The build host of the tests has no
device-mapper and no kernel partition tables, so its tests give the executor loop devices
instead (tests/integration/install_loop.py); everything else the executor does is the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from ovirt_node.core.context import Context
from ovirt_node.installer.plan.layout import VG_NAME, Layout, StableNames, remove_volume_group_commands
from ovirt_node.persist.mount import mount_points, unmount
from ovirt_node.system.machine.model import Disk


class Devices(Protocol):
    def partition(self, disk: Disk, number: int) -> str: ...

    def volume(self, name: str) -> str: ...

    def partitions_changed(self, ctx: Context) -> None:
        """The partition tables were rewritten: make the new partitions' devices appear."""

    def volume_commands(self, layout: Layout) -> list[list[str]]:
        """What creates the volumes (shown in plans)."""

    def create_volumes(self, ctx: Context, layout: Layout) -> None: ...

    def remove_volume_groups(self, ctx: Context, groups: Sequence[str]) -> None: ...

    def activate(self, ctx: Context) -> None:
        """Make an existing HostVG's volumes reachable (an upgrade from boot media)."""

    def grub_skip_reason(self) -> str | None:
        """Why grub cannot be installed on these devices (None: it can)."""

    def mount(self, ctx: Context, device: str, directory: Path, options: str = "") -> None: ...

    def unmount_all(self, ctx: Context, top: Path) -> None:
        """Unmount everything mounted at or below `top`."""


class LvmDevices(StableNames):
    """Real disks: partitions by their by-id names, volumes as logical volumes of HostVG."""

    def partitions_changed(self, ctx: Context) -> None:
        ctx.runner(["udevadm", "settle"])

    def volume_commands(self, layout: Layout) -> list[list[str]]:
        return layout.volume_commands()

    def create_volumes(self, ctx: Context, layout: Layout) -> None:
        for command in layout.volume_commands():
            ctx.runner(command)

    def remove_volume_groups(self, ctx: Context, groups: Sequence[str]) -> None:
        for command in remove_volume_group_commands(groups):
            ctx.runner(command)

    def activate(self, ctx: Context) -> None:
        ctx.runner(["vgchange", "--activate", "y", VG_NAME])

    def grub_skip_reason(self) -> str | None:
        return None

    def mount(self, ctx: Context, device: str, directory: Path, options: str = "") -> None:
        if not ctx.runner.dry_run:
            directory.mkdir(parents=True, exist_ok=True)
        ctx.runner(mount_argv(device, directory, options))

    def unmount_all(self, ctx: Context, top: Path) -> None:
        unmount_tree(ctx, top)


def mount_argv(device: str, directory: Path, options: str = "") -> list[str]:
    return ["mount", *(["-o", options] if options else []), device, str(directory)]


def unmount_tree(ctx: Context, top: Path) -> None:
    """Unmount everything at or below `top`, deepest first (bind mounts of persisted files
    inside a mounted volume go before the volume)."""
    if ctx.runner.dry_run:
        return
    prefix = str(top).rstrip("/")
    inside = [m for m in mount_points() if m == prefix or m.startswith(prefix + "/")]
    for point in sorted(set(inside), key=lambda m: (-m.count("/"), m)):
        for _ in range(inside.count(point)):  # stacked mounts come off one by one
            unmount(Path(point))
