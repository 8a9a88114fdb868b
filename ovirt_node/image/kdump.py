"""The crash kernel's files in the image: kdump-config's own initrd place pointed at the node's.

kdump-config (kdump-tools) builds its crash initrd with initramfs-tools at load time when
`/var/lib/kdump/initrd.img-<kernel>` is missing, and removes it whenever
`/etc/kdump/sysctl.conf` differs from the copy beside it. That initrd cannot reach the node's
root (a squashfs on HostVG, found by the node's own initramfs), and building it on the node at
every boot costs half a minute. The image therefore ships that path as a link to the initrd of
the slot the node booted, and the sysctl copy that keeps kdump-config from removing it: the
crash kernel boots the node's own kernel and initrd (docs/kdump.md).
"""

from __future__ import annotations

import shutil
from pathlib import Path

KDUMP_DIR = "var/lib/kdump"
#: The running slot's files: the initramfs leaves the slot mounted there.
SLOT_INITRD = "/run/initramfs/live/initrd.img"
SYSCTL = "etc/kdump/sysctl.conf"


def link_crash_initrd(root: Path, kernel: str) -> None:
    """Replace initramfs-tools' crash initrd (and its copy of initramfs-tools' config) in the
    image at `root` with a link to the booted slot's initrd."""
    kdump = root / KDUMP_DIR
    if kdump.exists():
        shutil.rmtree(kdump)
    kdump.mkdir(parents=True)
    (kdump / f"initrd.img-{kernel}").symlink_to(SLOT_INITRD)
    sysctl = root / SYSCTL
    if sysctl.is_file():
        shutil.copyfile(sysctl, kdump / f"latest_sysctls-{kernel}")
