"""The installed node's configuration, written by the installer into its Config volume.

The installer extracts the image's `/etc` into the work tree that stands in for the node's
`/`, mounts the Config volume on its `/config`, and then uses the same config engine and the
same persistence code as the running node: settings from the kernel command line (or the
installer's pages) are applied there, and every file written is persisted into the Config
volume, where the node's boot restores it. The mounts (fstab) and the live session's network
connections are written and persisted the same way.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.context import Context
from ovirt_node.core.esp import ESP as ESP_MOUNT
from ovirt_node.core.root import Root
from ovirt_node.core.steps import write_file_atomic
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.installer.image import SQUASHFS, NodeImage
from ovirt_node.installer.plan.layout import VG_NAME, Layout
from ovirt_node.installer.steps.storage import Target
from ovirt_node.persist.store import Store
from ovirt_node.system.keymaps import KEYMAP_DIRS

log = logging.getLogger(__name__)

FSTAB = "/etc/fstab"
NM_CONNECTIONS = "/etc/NetworkManager/system-connections"
INSTALL_LOG = "/var/log/ovirt-node/install.log"
OS_RELEASE = "usr/lib/os-release"


def node_root(target: Target) -> Root:
    """The node tree being written; its /sys is a link to the live system's (see below)."""
    return Root.at(target.node, borrowed=("sys",))


@dataclass(frozen=True)
class ExtractNodeEtc(Step):
    """The image's /etc, as the tree the node's configuration is written into, and its
    console keymaps, which `keyboard=` is checked against. Its /sys is the installer's: the
    machine is the same, so `BOOTIF=link` or a MAC resolves to the NICs the node will have."""

    image: NodeImage
    target: Target
    live: Root
    title: str = "Unpack the node's /etc, os-release and keymaps from the image"

    def plan(self) -> list[list[str]]:
        # /etc/os-release is a link to /usr/lib/os-release: without it the tree would look like
        # no distribution, and the engine would write EL's paths (/etc/chrony.conf) on Debian.
        return [["unsquashfs", "-no-progress", "-f", "-d", str(self.target.node),
                 str(self.image.path(SQUASHFS)), "etc", OS_RELEASE, *(d.lstrip("/") for d in KEYMAP_DIRS)]]

    def apply(self, ctx: Context, run: StepRun) -> None:
        for command in self.plan():
            ctx.runner(command, timeout=600)
        sys_link = node_root(self.target)("/sys", follow=False)
        if not ctx.runner.dry_run and not sys_link.exists() and self.live("/sys").is_dir():
            sys_link.symlink_to(self.live("/sys"))


def fstab_text(layout_volumes: Sequence[tuple[str, str, str]], esp_uuid: str, kept: str = "") -> str:
    """fstab for the node: the image's own lines that do not collide with ours, then the ESP
    (where upgrades and rollbacks find the boot menu) and the HostVG volumes."""
    ours = {mount for _, mount, _ in layout_volumes} | {ESP_MOUNT, "swap"}
    lines = ["# Written by the ovirt-node installer; /etc/fstab is persisted in /config."]
    for line in kept.splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#") and len(fields) > 1 and fields[1] not in ours:
            lines.append(line)
    # noauto: mounted only while something reads or writes it (core/esp.py): vfat has no
    # journal, and an upgrade mounts the partition itself, which a standing mount would refuse.
    lines.append(f"UUID={esp_uuid}\t{ESP_MOUNT}\tvfat\tumask=0077,noauto\t0 2")
    for name, mount, fs in layout_volumes:
        device = f"/dev/mapper/{VG_NAME}-{name}"
        if fs == "swap":
            lines.append(f"{device}\tswap\tswap\tdefaults\t0 0")
        else:
            lines.append(f"{device}\t{mount}\t{fs}\tdefaults,noatime\t0 2")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class WriteFstab(Step):
    layout: Layout
    target: Target
    esp_device: Callable[[], str]
    title: str = "Write the node's mounts (fstab) into /config"

    def _volumes(self) -> list[tuple[str, str, str]]:
        return [(v.name, v.mount, v.fs) for v in self.layout.volumes if v.mount or v.fs == "swap"]

    def apply(self, ctx: Context, run: StepRun) -> None:
        uuid = ctx.runner(["blkid", "--match-tag", "UUID", "--output", "value", self.esp_device()]).stdout.strip()
        if ctx.runner.dry_run:
            return
        path = node_root(self.target)(FSTAB)
        kept = path.read_text(errors="replace") if path.is_file() else ""
        write_file_atomic(path, fstab_text(self._volumes(), uuid or "unknown", kept).encode())
        Store(node_root(self.target)).persist(FSTAB)


@dataclass(frozen=True)
class ApplyNodeSettings(Step):
    """The settings given to the installer (kernel arguments, or the installer pages' values)
    applied to the node tree by the config engine, which persists what it writes. Area by
    area, as at boot: an area that cannot apply is rolled back and reported, and the install
    goes on with the network, the passwords and the rest applied."""

    target: Target
    args: KernelArgs
    settings: Mapping[str, str] = field(default_factory=dict)
    title: str = "Apply the node's settings"

    def describe(self) -> str:
        names = sorted({a.name for a in self.args} | set(self.settings))
        return f"{self.title} ({', '.join(names) or 'none given'})"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run:
            return
        from ovirt_node.areas.registry import all_sections
        from ovirt_node.core.engine import Engine
        from ovirt_node.core.kernelargs import apply_by_area, changes_from_kernel_args

        node = Context(root=node_root(self.target), runner=ctx.runner)
        engine = Engine(node, all_sections())
        found = changes_from_kernel_args(engine, self.args)
        for arg, reason in found.rejected:
            run.report(f"skipped {arg}: {reason}")
        changes = {**found.changes, **engine.validate(dict(self.settings))}
        for result in apply_by_area(engine, changes):
            if not result.ok:
                log.error("the node's settings: %s", result)
            run.report(str(result))


@dataclass(frozen=True)
class CopyLiveNetwork(Step):
    """The live session's NetworkManager connections (the network the operator set up to
    install) onto the node, persisted, so it comes up the same way. A connection the kernel
    arguments already wrote for the node is kept as written."""

    live: Root
    target: Target
    title: str = "Keep the installer's network connections"

    def apply(self, ctx: Context, run: StepRun) -> None:
        source = self.live(NM_CONNECTIONS)
        if ctx.runner.dry_run or not source.is_dir():
            return
        node = node_root(self.target)
        files = sorted(p for p in source.iterdir() if p.is_file())
        if not files:
            return
        destination = node(NM_CONNECTIONS)
        destination.mkdir(parents=True, exist_ok=True)
        for path in files:
            if not (destination / path.name).exists():
                write_file_atomic(destination / path.name, path.read_bytes(), 0o600)
        Store(node).persist(NM_CONNECTIONS)


@dataclass(frozen=True)
class CopyInstallLog(Step):
    log_file: Path
    target: Target
    title: str = "Keep the install log on the Logging volume"

    def describe(self) -> str:
        return f"{self.title} ({INSTALL_LOG})"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run or not self.log_file.is_file():
            return
        destination = node_root(self.target)(INSTALL_LOG)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.log_file, destination)
        destination.chmod(0o600)
