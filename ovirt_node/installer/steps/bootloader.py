"""Boot configuration: one grub.cfg on the EFI system partition that BIOS and UEFI grub share,
with one entry per image slot, and the commands that install grub for both firmware types.

The slots are the `Root` and `RootBackup` logical volumes; grub reads the kernel and initrd
straight from the slot's filesystem through its lvm module. Which entry boots is
`saved_entry` in the grubenv beside grub.cfg: an install sets it; switching slots (upgrade,
rollback) rewrites grub.cfg's titles first, then starts a trial boot of the other slot
(steps/trial.py) with `grub-editenv` — a single write of a fixed-size block, so a power cut
leaves either the old or the new state, never neither.

UEFI boots Debian's signed chain (installer/secureboot.py), so Secure Boot may stay on: shim,
the signed grub and the MOK manager in EFI/debian (the signed grub's fixed prefix) and as the
removable-media fallback in EFI/BOOT, with a small EFI/debian/grub.cfg that reads the real one.
BIOS grub is grub-install's i386-pc. Both read the same grub.cfg, which uses only commands the
signed grub has built in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.cmdline import SECRET_ARGS, KernelArgs
from ovirt_node.core.context import Context
from ovirt_node.core.esp import ESP as ESP_MOUNT
from ovirt_node.core.grubcfg import first_kernel_args, grub_word
from ovirt_node.core.platform import Platform
from ovirt_node.core.root import Root
from ovirt_node.core.steps import write_file_atomic
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.installer import iscsi_root, secureboot
from ovirt_node.installer.image import INITRD, KERNEL, ImageVersion
from ovirt_node.installer.plan.layout import VG_NAME
from ovirt_node.installer.steps.trial import TRIAL_ARG_VARS, trial_entry_lines, trial_script

#: Where the ESP is mounted while installing (grub's directory on it is the platform's
#: `grub-dir`: grub2 on EL, grub on Debian).
EFI_LABEL = "oVirt Node"
#: The arguments grub_config puts first on every entry's line, naming the slot.
SLOT_ARG_PREFIXES = ("root=live:", "rd.lvm.lv=")
TIMEOUT = 5
#: The crash kernel's memory by the machine's RAM (the kernel's range syntax, as the
#: distributions default to): nothing below 1 GB, where a reservation would starve the node.
#: The crash kernel boots the node's own kernel, initrd and root (docs/kdump.md): measured on a
#: 2 GB guest, 160 MB saved a dump only by paging out to swap, 256 MB without; bigger machines
#: get more for their larger page tables and device drivers.
DEFAULT_CRASHKERNEL = "crashkernel=1G-4G:256M,4G-64G:384M,64G-:512M"
#: Arguments that steer the installer or the boot media; they do not belong on the node's own
#: kernel line (secrets never do).
INSTALLER_ARGS = frozenset({
    "storage_init", "storage_vol", "mem_overcommit", "swap_encrypt", "install", "upgrade", "firstboot",
    "uninstall", "stateless", "wipe_fakeraid", "reboot_delay", "node.break", "BOOTIF", "root", "initrd",
    "BOOT_IMAGE", "rd.live.image", "rd.live.check", "rd.live.dir", "rd.live.squashimg", "cdlabel", "rescue",
    "answers", "answers_sha256",
}) | iscsi_root.ARGS


@dataclass(frozen=True)
class Slot:
    """An image slot: its logical volume and the image it holds."""

    lv: str
    version: ImageVersion

    @property
    def entry_id(self) -> str:
        return f"slot-{self.lv}"

    @property
    def device(self) -> str:
        return f"/dev/mapper/{VG_NAME}-{self.lv}"


#: A network boot's live system names its NICs as the kernel does (eth0...): our initramfs brought
#: the boot NIC up to fetch the image, and udev cannot rename a NIC that is up. The installer
#: resolves BOOTIF= and writes the node's connections with those names, so the node keeps them
#: (the boot scripts ovirt-node-image writes say it too, so every NIC of the live system has them).
KERNEL_NIC_NAMES = "net.ifnames=0"


def network_booted(args: KernelArgs) -> bool:
    """Whether the line booted the live system over the network (root=live:http...)."""
    return (args.get("root") or "").startswith(("live:http://", "live:https://"))


def carried_args(args: KernelArgs, consumed: Iterable[str] = ()) -> list[str]:
    """The arguments given to the installer that the installed node keeps booting with
    (3.x's OVIRT_BOOTPARAMS): everything but the installer's own, those a config section
    consumed, and secrets."""
    dropped = INSTALLER_ARGS | SECRET_ARGS | set(consumed)
    kept = [arg.raw for arg in args if arg.name not in dropped]
    return kept + ([KERNEL_NIC_NAMES] if network_booted(args) and not args.has("net.ifnames") else [])



_SIZE = r"\d+[KMG]?"
_RANGE = rf"{_SIZE}-(?:{_SIZE})?:{_SIZE}"
#: What the kernel takes after `crashkernel=`: a size (at an offset, or high/low), or ranges of
#: RAM each with its size.
CRASHKERNEL_VALUE = re.compile(rf"{_SIZE}(?:@{_SIZE}|,high|,low)?|{_RANGE}(?:,{_RANGE})*(?:@{_SIZE})?")


def crashkernel_problem(value: str) -> str | None:
    """Why `value` is no `crashkernel=` value (None when it is one)."""
    if value == "auto" or CRASHKERNEL_VALUE.fullmatch(value):
        return None
    return f"must be a size such as 256M, or sizes by RAM such as 1G-4G:256M,4G-:512M, not {value!r}"


def with_crashkernel(args: Sequence[str]) -> list[str]:
    """`args` with the default crash kernel reservation, unless they choose one themselves (the
    last one given wins: an answers file's comes after the boot media's). 3.x's
    `crashkernel=auto` (an EL kernel's feature that Debian's kernel refuses) means the default."""
    chosen = [arg for arg in args if arg.startswith("crashkernel=")]
    kept = [arg for arg in args if not arg.startswith("crashkernel=")]
    if chosen and chosen[-1] != "crashkernel=auto":
        return [*kept, chosen[-1]]
    return [*kept, DEFAULT_CRASHKERNEL]


def kernel_line(slot: Slot, args: Sequence[str]) -> list[str]:
    """The node's whole kernel command line when it boots `slot`: the slot's own arguments, the
    carried ones, and the crash kernel's reservation."""
    return [f"root=live:{slot.device}", f"rd.lvm.lv={VG_NAME}/{slot.lv}", "rd.live.image", "ro",
            *with_crashkernel(args)]


def grub_config(product: str, active: Slot, backup: Slot | None, args: Sequence[str]) -> str:
    """grub.cfg: the active slot's entry first and default, "BACKUP ..." for the other one."""
    lines = [
        "# Written by ovirt-node; changes are lost on the next upgrade or rollback.",
        f"set timeout={TIMEOUT}",
        f"set default={grub_word(active.entry_id)}",
        "if [ -s $prefix/grubenv ]; then",
        "  load_env --file $prefix/grubenv",
        '  if [ -n "$saved_entry" ]; then',
        '    set default="$saved_entry"',
        "  fi",
        *trial_script(),
        "fi",
        "insmod part_gpt",
        "insmod lvm",
        "insmod ext2",
        'if [ "$grub_platform" = "efi" ]; then',
        "  insmod efi_gop",
        "  insmod efi_uga",
        "fi",
        "serial --unit=0 --speed=115200",
        "terminal_input console serial",
        "terminal_output console serial",
    ]
    slots = [(active, f"{product} {active.version.version}-{active.version.release}")]
    if backup is not None:
        slots.append((backup, f"BACKUP {product} {backup.version.version}-{backup.version.release}"))
    for slot, title in slots:
        lines += [
            "",
            f"menuentry {grub_word(title)} --id {grub_word(slot.entry_id)} {{",
            f"  set root=(lvm/{VG_NAME}-{slot.lv})",
            *trial_entry_lines(slot.entry_id),
            f"  linux /{KERNEL} " + " ".join(grub_word(word) for word in kernel_line(slot, args))
            + f" {TRIAL_ARG_VARS}",
            f"  initrd /{INITRD}",
            "}",
        ]
    return "\n".join(lines) + "\n"


def install_commands(platform: Platform, disk: str, esp_disk: str, esp_number: int,
                     uefi: bool, esp_mount: str = ESP_MOUNT) -> list[list[str]]:
    """grub for BIOS always (the disk then also boots on a BIOS machine), and on a UEFI machine a
    named boot entry in NVRAM for shim (InstallEfiLoaders put it on the ESP before)."""
    cmds = [[platform.tool("grub-install"), "--target=i386-pc", f"--boot-directory={esp_mount}",
             "--modules=part_gpt fat lvm ext2", disk]]
    if uefi:
        loader = "\\" + "\\".join([*secureboot.DEBIAN_DIR.split("/"), secureboot.SHIM_NAME])
        cmds.append(["efibootmgr", "--create", "--disk", esp_disk, "--part", str(esp_number), "--label", EFI_LABEL,
                     "--loader", loader])
    return cmds


def esp_grub_config(platform: Platform) -> str:
    """EFI/debian/grub.cfg: where the signed grub (prefix /EFI/debian, on the ESP it ran from)
    finds the menu BIOS grub reads too. `prefix` moves along, so the menu's `$prefix/grubenv`
    is the one beside it."""
    return "\n".join([
        "# Written by ovirt-node: Debian's signed grub reads this file; the boot menu is the one below.",
        f"set prefix=($root)/{platform.path('grub-dir')}",
        "source $prefix/grub.cfg",
        "",
    ])


def efi_files(platform: Platform, source: Root) -> dict[str, bytes]:
    """Every file InstallEfiLoaders writes (path on the ESP -> content), read from `source`
    (the live system: the node image's own root). SignedLoaderMissing when a loader is not
    there, before anything is written."""
    files: dict[str, bytes] = {}
    for directory, loader_name in ((secureboot.DEBIAN_DIR, secureboot.SHIM_NAME),
                                   (secureboot.FALLBACK_DIR, secureboot.FALLBACK_LOADER)):
        for name, path in secureboot.signed_loaders(source("/"), secureboot.GRUB_DISK, loader_name).items():
            files[f"{directory}/{name}"] = path.read_bytes()
    files[f"{secureboot.DEBIAN_DIR}/grub.cfg"] = esp_grub_config(platform).encode()
    return files


@dataclass(frozen=True)
class InstallEfiLoaders(Step):
    """Debian's signed shim, grub and MOK manager onto the ESP, from the live system's root,
    and the small grub.cfg the signed grub reads."""

    platform: Platform
    esp: Path
    source: Root
    title: str = "Install the signed UEFI loaders (shim, grub)"

    def describe(self) -> str:
        return (f"{self.title}: {secureboot.DEBIAN_DIR}/{secureboot.SHIM_NAME} and "
                f"{secureboot.FALLBACK_DIR}/{secureboot.FALLBACK_LOADER} from {self.source('/')}")

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run:
            return
        for relative, content in efi_files(self.platform, self.source).items():
            target = self.esp / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file_atomic(target, content)


def set_default_command(platform: Platform, slot: Slot, esp_mount: str = ESP_MOUNT) -> list[str]:
    """The last step of an upgrade or a rollback: boot `slot` from now on."""
    grubenv = f"{esp_mount}/{platform.path('grub-dir')}/grubenv"
    return [platform.tool("grub-editenv"), grubenv, "set", f"saved_entry={slot.entry_id}"]


def grub_dir(platform: Platform, esp: Path) -> Path:
    return esp / platform.path("grub-dir")


@dataclass(frozen=True)
class WriteBootConfig(Step):
    """grub.cfg on the ESP (written whole, then renamed into place) and, on a fresh ESP, the
    grubenv whose `saved_entry` picks the slot."""

    platform: Platform
    esp: Path
    product: str
    active: Slot
    backup: Slot | None
    #: The kernel arguments of the entries; None keeps those of the menu on the ESP.
    args: Sequence[str] | None
    title: str = "Write the boot menu"

    def describe(self) -> str:
        backup = f", BACKUP {self.backup.version}" if self.backup else ""
        if self.args is None:
            line = "the kernel arguments of the menu on the disk, with a crashkernel= if it has none"
        else:
            line = " ".join(kernel_line(self.active, self.args))
        return f"{self.title} ({self.active.version} on {self.active.lv}{backup}); kernel command line: {line}"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run:
            return
        directory = grub_dir(self.platform, self.esp)
        directory.mkdir(parents=True, exist_ok=True)
        config = directory / "grub.cfg"
        previous = config.read_bytes() if config.is_file() else None
        if previous is not None:
            run.on_rollback(lambda: write_file_atomic(config, previous))
        args = self.args
        if args is None:
            args = boot_args_from_config(previous.decode(errors="replace")) if previous else []
        write_file_atomic(config, grub_config(self.product, self.active, self.backup, args).encode())
        if not (directory / "grubenv").exists():
            ctx.runner([self.platform.tool("grub-editenv"), str(directory / "grubenv"), "create"])


def boot_args_from_config(text: str) -> list[str]:
    """The carried kernel arguments of a grub.cfg we wrote: its first entry's `linux` line
    without the slot's own arguments."""
    return [w for w in first_kernel_args(text)
            if not w.startswith(SLOT_ARG_PREFIXES) and w not in ("rd.live.image", "ro")]


@dataclass(frozen=True)
class SetDefaultSlot(Step):
    """Boot `slot` from now on: one grubenv write, the last step of an install, upgrade or
    rollback (until it runs, the node boots what it booted before)."""

    platform: Platform
    esp: Path
    slot: Slot
    title: str = "Make the new slot the default boot entry"

    def describe(self) -> str:
        return f"{self.title} ({self.slot.lv}: {self.slot.version})"

    def plan(self) -> list[list[str]]:
        return [set_default_command(self.platform, self.slot, str(self.esp))]

    def apply(self, ctx: Context, run: StepRun) -> None:
        for command in self.plan():
            ctx.runner(command)


def read_default(platform: Platform, esp: Path) -> str | None:
    """The slot LV the grubenv boots (None: no grubenv or no saved entry)."""
    try:
        text = (grub_dir(platform, esp) / "grubenv").read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key == "saved_entry" and value.startswith("slot-"):
            return value.removeprefix("slot-")
    return None
