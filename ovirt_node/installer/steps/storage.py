"""The storage steps of an installation: volume groups removed, signatures wiped, disks
partitioned, HostVG and its volumes made, filesystems made, and the node's volumes mounted
under a work directory while the installer writes them (unmounted again at the end, or when a
step fails).

Commands are computed when the step runs, not when it is planned: partition device names on
some hosts exist only once the new tables are read.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from ovirt_node.core.context import Context
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.installer.devices import Devices, mount_argv
from ovirt_node.installer.plan.layout import Layout

log = logging.getLogger(__name__)

Commands = Callable[[], list[list[str]]]


@dataclass(frozen=True)
class Target:
    """Where the installer mounts the node's filesystems while it writes them.

    `node` stands in for the installed node's `/`: its `/etc` is taken from the image, the
    Config volume is mounted on `node/config` and Logging on `node/var/log`, so the config
    engine and the persistence code write there exactly as they would on the node.
    """

    workdir: Path

    @property
    def slot(self) -> Path:
        return self.workdir / "slot"

    @property
    def esp(self) -> Path:
        return self.workdir / "esp"

    @property
    def node(self) -> Path:
        return self.workdir / "node"

    @property
    def config(self) -> Path:
        return self.node / "config"

    @property
    def logging(self) -> Path:
        return self.node / "var/log"


@dataclass(frozen=True)
class RunCommands(Step):
    """Commands run in order; `commands` is asked when the step runs (and for the plan)."""

    title: str
    commands: Commands

    def plan(self) -> list[list[str]]:
        return self.commands()

    def apply(self, ctx: Context, run: StepRun) -> None:
        for command in self.commands():
            ctx.runner(command, timeout=600)


@dataclass(frozen=True)
class DeviceAction(Step):
    """A step the device backend performs (partitions appearing, volumes created)."""

    title: str
    action: Callable[[Context], None]
    shown: Commands = list

    def plan(self) -> list[list[str]]:
        return self.shown()

    def apply(self, ctx: Context, run: StepRun) -> None:
        self.action(ctx)


@dataclass(frozen=True)
class Mount(Step):
    """Mount filesystems on directories; everything under the work directory is unmounted
    again when a later step fails."""

    title: str
    devices: Devices
    mounts: Sequence[tuple[Callable[[], str], Path]]
    options: str = ""

    def plan(self) -> list[list[str]]:
        return [mount_argv(device(), directory, self.options) for device, directory in self.mounts]

    def apply(self, ctx: Context, run: StepRun) -> None:
        for device, directory in self.mounts:
            self.devices.mount(ctx, device(), directory, self.options)
            run.on_rollback(partial(self.devices.unmount_all, ctx, directory))


@dataclass(frozen=True)
class UnmountAll(Step):
    """Sync and unmount everything the installation mounted under its work directory."""

    devices: Devices
    target: Target
    title: str = "Unmount the node's filesystems"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if not ctx.runner.dry_run:
            os.sync()
        self.devices.unmount_all(ctx, self.target.workdir)


def storage_steps(layout: Layout, devices: Devices) -> list[Step]:
    """Wipe, partition and format the layout's disks (everything on them is lost)."""
    return [
        DeviceAction("Remove the volume groups found on the disks",
                     lambda ctx: devices.remove_volume_groups(ctx, layout.old_volume_groups),
                     layout.volume_group_commands),
        RunCommands("Wipe the disks' signatures and partition tables", lambda: layout.wipe_commands(devices)),
        RunCommands("Partition the disks (GPT)", layout.partition_commands),
        DeviceAction("Read the new partition tables", devices.partitions_changed, lambda: [["udevadm", "settle"]]),
        DeviceAction(f"Create {len(layout.volumes)} volumes", lambda ctx: devices.create_volumes(ctx, layout),
                     lambda: devices.volume_commands(layout)),
        RunCommands("Make the filesystems", lambda: layout.format_commands(devices)),
    ]
