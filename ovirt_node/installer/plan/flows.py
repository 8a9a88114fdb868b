"""What the installer does, as transactions: install (and reinstall), upgrade, rollback and
uninstall. Each is a list of titled steps with progress events; `describe` gives the plan
(every command) for a dry run.

A fresh install makes the disk bootable only at its last step (the grubenv that picks the
slot); an upgrade writes the inactive slot and switches the default entry last, so a failure
at any point leaves the node booting what it booted before.
"""

from __future__ import annotations

import logging
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ovirt_node.core import cmdline
from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Step, StepRun, Transaction
from ovirt_node.installer.image import VERSION, ImageError, ImageVersion, NodeImage, parse_version
from ovirt_node.installer.plan.layout import VG_NAME, Layout, remove_volume_group_commands, wipe_commands
from ovirt_node.installer.session import SLOTS, InstalledNode, Session, booted_slot, other_slot
from ovirt_node.installer.steps import bootloader
from ovirt_node.installer.steps.bootloader import SetDefaultSlot, Slot, WriteBootConfig
from ovirt_node.installer.steps.configure import (
    ApplyNodeSettings,
    CopyInstallLog,
    CopyLiveNetwork,
    ExtractNodeEtc,
    WriteFstab,
)
from ovirt_node.installer.steps.hooks import RunHooks
from ovirt_node.installer.steps.laydown import CopyImage
from ovirt_node.installer.steps.report import ReportInstall
from ovirt_node.installer.steps.storage import DeviceAction, Mount, RunCommands, Target, UnmountAll, storage_steps
from ovirt_node.installer.steps.trial import Pending, StartTrial, read_grubenv
from ovirt_node.system.machine.model import Disk

log = logging.getLogger(__name__)

def _version_facts(version: ImageVersion, target: Target | None = None) -> dict[str, str]:
    facts = {"OVIRT_NODE_VERSION": f"{version.version}-{version.release}"}
    if target is not None:
        facts["OVIRT_NODE_TARGET"] = str(target.slot)
    return facts


def install(session: Session, layout: Layout, image: NodeImage, args: KernelArgs,
            settings: Mapping[str, str] | None = None) -> Transaction:
    """Install (or reinstall: the layout removes the old HostVG first) onto `layout`'s disks."""
    s, devices, target = session, session.devices, session.target
    slot = Slot(SLOTS[0], image.version)
    esp = layout.esp

    def esp_device() -> str:
        return devices.partition(esp.disk, esp.number)

    boot_disk = layout.boot_disk.by_id or layout.boot_disk.path
    grub = RunCommands("Install grub for BIOS and the UEFI boot entry", lambda: bootloader.install_commands(
        s.platform, boot_disk, boot_disk, esp.number, s.uefi, str(target.esp)))
    grub_skip = devices.grub_skip_reason()
    steps: list[Step | None] = [
        *storage_steps(layout, devices),
        Mount("Mount the image slot and the EFI system partition", devices,
              [(lambda: devices.volume(slot.lv), target.slot), (esp_device, target.esp)]),
        CopyImage(image, target.slot),
        WriteBootConfig(s.platform, target.esp, s.product, slot, None,
                        bootloader.carried_args(args, consumed_by_engine(args))),
        # the loaders are files, but come from the live system's root, which only the node
        # image has: skipped with grub where the test host installs onto loop devices
        SkippableStep(bootloader.InstallEfiLoaders(s.platform, target.esp, s.live), grub_skip),
        SkippableStep(grub, grub_skip),
        ExtractNodeEtc(image, target, s.live),
        Mount("Mount Config and Logging", devices, [(lambda: devices.volume("Config"), target.config),
                                          (lambda: devices.volume("Logging"), target.logging)]),
        WriteFstab(layout, target, esp_device),
        ApplyNodeSettings(target, args, settings or {}),
        CopyLiveNetwork(s.live, target),
        RunHooks("post-install", _version_facts(image.version, target), hooks_dir=s.hooks_dir),
        CopyInstallLog(s.log_file, target) if s.log_file else None,
        SetDefaultSlot(s.platform, target.esp, slot, title="Make the disk boot the new node"),
        ReportInstall(s.live, target, args, s.log_file, f"Install {image.version}")
        if args.has("report_url") else None,
        UnmountAll(s.devices, target),
    ]
    return Transaction(f"Install {image.version}", [step for step in steps if step is not None])


@dataclass(frozen=True)
class SkippableStep(Step):
    """A step shown in every plan but skipped where the devices cannot take it (grub on the
    test host's loop devices)."""

    inner: Step
    reason: str | None
    title: str = field(default="", init=False)

    def __post_init__(self) -> None:
        self._default_title(self.inner.title)

    def describe(self) -> str:
        return self.inner.describe()

    def plan(self) -> list[list[str]]:
        return getattr(self.inner, "plan", list)()

    def skip_reason(self, ctx: Context) -> str | None:
        return self.reason

    def apply(self, ctx: Context, run: StepRun) -> None:
        self.inner.apply(ctx, run)


def consumed_by_engine(args: KernelArgs) -> list[str]:
    """The arguments a config section applies (they are settings now, not boot arguments)."""
    from ovirt_node.areas.registry import all_sections

    names = {name for section in all_sections() for name in section.kernel_args()}
    return [arg.name for arg in args if arg.name in names]


def upgrade(session: Session, node: InstalledNode, image: NodeImage,
            settings: Mapping[str, str] | None = None) -> Transaction:
    """Write `image` into the slot the node does not boot, then try it at the next boot
    (steps/trial.py: it becomes the default once its health checks pass). `settings` (a new
    admin password from the installer's screen) are applied to the node's persisted
    configuration before the switch."""
    _refuse_pending_trial(node)
    s, target = session, session.target
    new = Slot(other_slot(node.active.lv), image.version)
    facts = _version_facts(image.version, target)
    steps: list[Step] = [
        RunHooks("pre-upgrade", facts, on_rollback="rollback", hooks_dir=s.hooks_dir),
        RunCommands(f"Make a fresh filesystem on {new.lv}",
                    lambda: [["mkfs.ext4", "-q", "-F", "-L", new.lv, s.devices.volume(new.lv)]]),
        Mount(f"Mount {new.lv} and the EFI system partition", s.devices,
              [(lambda: s.devices.volume(new.lv), target.slot), (lambda: node.esp, target.esp)]),
        CopyImage(image, target.slot),
        WriteBootConfig(s.platform, target.esp, s.product, new, node.active, None),
        *(_settings_steps(session, image, settings) if settings else []),
        StartTrial(s.platform, target.esp, node.active.entry_id, new.entry_id),
        RunHooks("post-upgrade", facts, hooks_dir=s.hooks_dir),
        UnmountAll(s.devices, target),
    ]
    return Transaction(f"Upgrade {node.active.version} to {image.version}", steps)


def _settings_steps(session: Session, image: NodeImage, settings: Mapping[str, str]) -> list[Step]:
    """The new image's /etc with the node's persisted files in place, then the settings
    applied there by the config engine (which persists what it changes into Config)."""
    from ovirt_node.installer.installed import RestorePersisted

    s, target = session, session.target
    return [
        ExtractNodeEtc(image, target, s.live),
        Mount("Mount Config", s.devices, [(lambda: s.devices.volume("Config"), target.config)]),
        RestorePersisted(target),
        ApplyNodeSettings(target, KernelArgs(), settings),
    ]


def rollback(session: Session, node: InstalledNode) -> Transaction:
    """Try the other slot at the next boot; it stays the default once its health checks pass."""
    _refuse_pending_trial(node)
    s, target = session, session.target
    if node.backup is None:
        raise ImageError(f"nothing to roll back to: {other_slot(node.active.lv)} holds no image")
    steps: list[Step] = [
        Mount("Mount the EFI system partition", s.devices, [(lambda: node.esp, target.esp)]),
        WriteBootConfig(s.platform, target.esp, s.product, node.backup, node.active,
                        None),
        StartTrial(s.platform, target.esp, node.active.entry_id, node.backup.entry_id,
                   title=f"Try {node.backup.version} at the next boot"),
        RunHooks("rollback", _version_facts(node.backup.version), hooks_dir=s.hooks_dir),
        UnmountAll(s.devices, target),
    ]
    return Transaction(f"Roll back from {node.active.version} to {node.backup.version}", steps)


def _refuse_pending_trial(node: InstalledNode) -> None:
    """Another switch while a trial is undecided would overwrite or re-point the slot that
    may be running right now."""
    if node.trial:
        raise ImageError(f"a trial boot of {node.trial.removeprefix('slot-')} is pending (its health checks "
                         "have not decided yet); wait for them: ovirt-node-upgrade --status")


def _booted(live: Root) -> str | None:
    try:
        return booted_slot(cmdline.read(live))
    except OSError:  # a bare tree (tests) has no /proc/cmdline: not booted from a slot
        return None


def undecided_trial(pending: Pending, booted: str | None) -> str | None:
    """The grubenv's trial while it can still decide: grub has yet to boot it (`trial_left`
    over 0), or it is running now. A trial grub already tried that is not running ended
    without a verdict (the node lost power or was reset during it, or its fallback boot has
    not cleared it yet): it failed, and a new upgrade or rollback replaces it."""
    if pending.trial is None:
        return None
    if pending.left > 0 or pending.trial == f"slot-{booted}":
        return pending.trial
    log.info("the trial of %s ended without a verdict: it counts as failed", pending.trial.removeprefix("slot-"))
    return None


def inspect(session: Session, esp: str) -> InstalledNode:
    """Mount the ESP and both slots read-only to learn which image boots and what the other
    slot holds. Raises ImageError when no slot holds an image."""
    s, work = session, session.target.workdir / "inspect"
    esp_dir = work / "esp"
    try:
        s.devices.activate(s.ctx)
        s.devices.mount(s.ctx, esp, esp_dir, "ro")
        default = bootloader.read_default(s.platform, esp_dir)
        trial = undecided_trial(Pending.of(read_grubenv(s.platform, esp_dir)), _booted(s.live))
        versions: dict[str, ImageVersion] = {}
        for lv in SLOTS:
            mounted = work / lv
            try:
                s.devices.mount(s.ctx, s.devices.volume(lv), mounted, "ro")
                versions[lv] = parse_version((mounted / VERSION).read_text(errors="replace"), f"{lv}/{VERSION}")
            except (OSError, ImageError, RuntimeError) as exc:
                log.info("slot %s holds no image: %s", lv, exc)
    finally:
        s.devices.unmount_all(s.ctx, work)
    active = default if default in versions else next((lv for lv in SLOTS if lv in versions), None)
    if active is None:
        raise ImageError(f"no installed image found on {SLOTS[0]} or {SLOTS[1]}")
    backup_lv = other_slot(active)
    backup = Slot(backup_lv, versions[backup_lv]) if backup_lv in versions else None
    return InstalledNode(esp, Slot(active, versions[active]), backup, trial)


def shown_command(command: Sequence[str]) -> str:
    """A planned command as a shell line; a `<placeholder>` (what a dry run cannot know, such
    as the HostVG disk's EFI partition) is shown as it is, not shell-quoted into noise."""
    return " ".join(word if word.startswith("<") and word.endswith(">") else shlex.quote(word) for word in command)


def plan_lines(tx: Transaction, ctx: Context) -> list[str]:
    """The plan: each step, and under it every command it would run."""
    lines = []
    for line, step in zip(tx.describe(ctx), tx.steps, strict=True):
        lines.append(line)
        for command in getattr(step, "plan", list)():
            lines.append("    " + shown_command(command))
    return lines


#: A boot entry line of `efibootmgr`: number, active mark, label, and (efibootmgr 18, or -v)
#: the device path after a tab.
_BOOT_ENTRY = re.compile(r"^Boot([0-9A-Fa-f]{4})\*?\s+([^\t]*?)\s*(?:\t.*)?$")


def boot_entries_named(listing: str, label: str) -> list[str]:
    """The boot numbers (`0003`) of the entries called `label` in efibootmgr's listing."""
    found = []
    for line in listing.splitlines():
        match = _BOOT_ENTRY.match(line)
        if match and match.group(2) == label:
            found.append(match.group(1))
    return found


@dataclass(frozen=True)
class RemoveBootEntries(Step):
    """The node's UEFI boot entries (efibootmgr), on UEFI machines."""

    label: str = bootloader.EFI_LABEL
    title: str = "Remove the node's UEFI boot entries"

    def apply(self, ctx: Context, run: StepRun) -> None:
        for number in boot_entries_named(ctx.runner(["efibootmgr"]).stdout, self.label):
            ctx.runner(["efibootmgr", "--bootnum", number, "--delete-bootnum"])


def uninstall(session: Session, disks: Sequence[Disk]) -> Transaction:
    """Remove HostVG, the node's partitions and every signature on `disks`, and its boot entries."""
    s = session
    steps: list[Step] = [
        DeviceAction(f"Remove the volume group {VG_NAME}",
                     lambda ctx: s.devices.remove_volume_groups(ctx, [VG_NAME]),
                     lambda: remove_volume_group_commands([VG_NAME])),
        RunCommands("Wipe the disks' signatures and partition tables", lambda: wipe_commands(disks, s.devices)),
    ]
    if s.uefi:
        steps.append(RemoveBootEntries())
    return Transaction(f"Uninstall the node from {len(disks)} disk(s)", steps)
