"""The boot media: a hybrid ISO (BIOS and UEFI, CD and USB stick) made by grub-mkrescue, holding
the image files at its top (the installer's `/run/initramfs/live` layout) and a grub menu.

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


def build(image: Path, output: Path, recipe: Recipe, runner: Runner) -> None:
    """The ISO of the image directory `image` at `output` (files linked in, not copied)."""
    with tempfile.TemporaryDirectory(prefix="iso-", dir=output.parent) as tmp:
        staging = Path(tmp)
        link_image_files(image, staging)
        grub = staging / "boot" / "grub"
        grub.mkdir(parents=True)
        (grub / "grub.cfg").write_text(grub_config(recipe.version, recipe.label))
        runner(["grub-mkrescue", "--output", str(output), str(staging), "--", "-volid", recipe.label],
               timeout=1800)
