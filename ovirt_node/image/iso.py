"""The boot media: a hybrid ISO (BIOS and UEFI, CD and USB stick) holding the image files at its
top (the installer's `/run/initramfs/live` layout) and a grub menu.

BIOS boots grub-mkrescue's i386-pc grub. UEFI boots Debian's signed chain (secureboot.py), so
the media also boots with Secure Boot on: an EFI boot image (a FAT file, El Torito's UEFI entry
and, for a USB stick, an appended ESP partition) holds shim as EFI/BOOT/BOOTX64.EFI with the
signed CD grub beside it, which finds the media by `/.disk/info` and reads the same
/boot/grub/grub.cfg as BIOS grub. That menu only uses commands built into the signed grub.

The kernel finds the media again by the ISO's filesystem label (`root=live:CDLABEL=...`).
The grub menu talks to the screen and to the first serial port, and the kernel's last
`console=` is the serial one, so a machine with only a serial console sees everything.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ovirt_node.core.run import Runner
from ovirt_node.image.recipe import Recipe
from ovirt_node.installer import secureboot
from ovirt_node.installer.image import CHECKSUMS, IMAGE_FILES, INITRD, KERNEL, ImageVersion

CONSOLE_ARGS = ("console=tty0", "console=ttyS0,115200n8")
#: Only errors from the kernel on the consoles: its info messages (a bond enslaving a NIC,
#: a VLAN filter) would otherwise land in the middle of the TUI's screen. The installer
#: carries it onto the node's boot line with the console arguments; the journal keeps all.
QUIET = "quiet"
#: The menu: title, extra kernel arguments.
ENTRIES = (
    ("Install or upgrade", ()),
    ("Reinstall", ("reinstall",)),
    ("Uninstall", ("uninstall",)),
)
TIMEOUT = 10
#: The EFI boot image inside the ISO (El Torito's UEFI entry points at it).
EFI_IMAGE = "boot/grub/efi.img"
#: grub-mkrescue's BIOS grub only: the UEFI part is ours (the signed chain).
BIOS_GRUB = "/usr/lib/grub/i386-pc"


def media_args(label: str) -> list[str]:
    """The kernel arguments that boot the media (also for PXE or direct kernel boot with the
    media attached: append the node's own arguments to these)."""
    return [f"root=live:CDLABEL={label}", "rd.live.image", QUIET, *CONSOLE_ARGS]


def grub_config(version: ImageVersion, label: str) -> str:
    lines = [
        "# The boot menu of the oVirt Node media (written by ovirt-node-image).",
        f"set timeout={TIMEOUT}",
        "set default=0",
        "serial --unit=0 --speed=115200",
        "terminal_input console serial",
        "terminal_output console serial",
        f"search --no-floppy --set=root --label {label}",
    ]
    for title, extra in ENTRIES:
        args = " ".join([*media_args(label), *extra])
        lines += [
            "",
            f"menuentry '{title} {version.name} {version.version}-{version.release}' {{",
            f"  linux /{KERNEL} {args}",
            f"  initrd /{INITRD}",
            "}",
        ]
    return "\n".join(lines) + "\n"


def link_image_files(image: Path, folder: Path) -> None:
    """The image files and their checksums into `folder` (hard links; copies across filesystems)."""
    for name in (*IMAGE_FILES, CHECKSUMS):
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(image / name, target)
        except OSError:
            shutil.copy2(image / name, target)


def efi_image(path: Path, root: Path, runner: Runner) -> None:
    """The FAT image UEFI boots from the media: shim as the fallback loader, the signed CD grub
    and the MOK manager beside it (taken from the image's `root`)."""
    files = secureboot.signed_loaders(root, secureboot.GRUB_CD, secureboot.FALLBACK_LOADER)
    size_kb = sum(f.stat().st_size for f in files.values()) // 1024 + 1024  # room for FAT's tables
    runner(["mformat", "-C", "-i", str(path), "-T", str(size_kb * 2), "-h", "2", "-s", "32", "-N", "0", "::"])
    runner(["mmd", "-i", str(path), "::/EFI", f"::/{secureboot.FALLBACK_DIR}"])
    for name, source in files.items():
        runner(["mcopy", "-i", str(path), str(source), f"::/{secureboot.FALLBACK_DIR}/{name}"])


def disk_info(version: ImageVersion) -> str:
    return f"{version.name} {version.version}-{version.release}\n"


def build(image: Path, output: Path, recipe: Recipe, runner: Runner, root: Path) -> None:
    """The ISO of the image directory `image` at `output` (files linked in, not copied); the
    signed UEFI loaders come from the image's `root`."""
    with tempfile.TemporaryDirectory(prefix="iso-", dir=output.parent) as tmp:
        staging = Path(tmp) / "iso"
        staging.mkdir()
        link_image_files(image, staging)
        grub = staging / "boot" / "grub"
        grub.mkdir(parents=True)
        (grub / "grub.cfg").write_text(grub_config(recipe.version, recipe.label))
        info = staging / secureboot.DISK_INFO
        info.parent.mkdir()
        info.write_text(disk_info(recipe.version))
        efi_image(staging / EFI_IMAGE, root, runner)
        # After `--`, xorriso's own commands: the label, then (in its mkisofs dialect) the UEFI
        # El Torito entry and the same image appended as a partition (a USB stick's ESP).
        runner(["grub-mkrescue", "--directory", BIOS_GRUB, "--output", str(output), str(staging), "--",
                "-volid", recipe.label, "-as", "mkisofs", "-eltorito-alt-boot", "-e", EFI_IMAGE, "-no-emul-boot",
                "-append_partition", "2", "0xef", str(staging / EFI_IMAGE), "--"],
               timeout=1800)
