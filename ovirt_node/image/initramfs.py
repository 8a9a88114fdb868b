"""The node's own initramfs: busybox, lvm (with the libraries it links), the recipe's kernel
modules in load order, and the recipe's `/init` (ovirt_node/data/image/initramfs/init).

Why not initramfs-tools or dracut: the node needs one thing from its initramfs — find the
image, mount the squashfs under an overlay, switch root — and a busybox one does it in about a
second and a few MB, where a generic one brings udev and hundreds of modules (slow to load
through the firmware and to unpack under emulation).
"""

from __future__ import annotations

import gzip
import re
import shutil
import tempfile
from pathlib import Path

from ovirt_node.core.run import Runner
from ovirt_node.image.recipe import Recipe

BUSYBOX = "/usr/bin/busybox"
LVM = "/usr/sbin/lvm"
#: open-iscsi's one-shot initiator: logs in to the root's target (netroot=iscsi:..., or the
#: firmware's iBFT) without iscsid.
ISCSISTART = "/usr/sbin/iscsistart"
#: The programs besides busybox, each with the libraries it links.
PROGRAMS = (LVM, ISCSISTART)
MODULES_ORDER = "etc/modules.order"
_LIB_LINE = re.compile(r"(?:=>\s*)?(/\S+)\s+\(0x[0-9a-f]+\)")


def kernel_version(root: Path) -> str:
    """The one kernel in the image's /boot."""
    found = sorted(p.name.removeprefix("vmlinuz-") for p in (root / "boot").glob("vmlinuz-*"))
    if len(found) != 1:
        raise RuntimeError(f"{root}/boot: expected one kernel, found {found or 'none'}")
    return found[0]


def module_paths(show_depends: str) -> list[str]:
    """The `insmod` paths of `modprobe --show-depends` output, in order, each once
    (`builtin` lines need nothing)."""
    paths: list[str] = []
    for line in show_depends.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] == "insmod" and words[1] not in paths:
            paths.append(words[1])
    return paths


def library_paths(ldd_output: str) -> list[str]:
    """The absolute paths of the libraries (and the loader) in `ldd` output."""
    return [m.group(1) for m in _LIB_LINE.finditer(ldd_output)]


def _copy_in(root: Path, staging: Path, path: str, runner: Runner) -> None:
    """`path` of the image into the staging tree at the same path; links are resolved inside
    the image (an absolute link names the image's file, not the build host's)."""
    real = runner(["chroot", str(root), "readlink", "-f", path]).stdout.strip()
    target = staging / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(root / real.lstrip("/"), target)


def build(root: Path, kernel: str, recipe: Recipe, output: Path, runner: Runner) -> None:
    with tempfile.TemporaryDirectory(prefix="initramfs-") as tmp:
        staging = Path(tmp)
        for directory in ("bin", "dev", "proc", "sys", "run", "sysroot", "etc", "lib", "lib64"):
            (staging / directory).mkdir()
        (staging / "sbin").symlink_to("bin")
        (staging / "usr").mkdir()
        for name in ("bin", "sbin", "lib", "lib64"):
            (staging / "usr" / name).symlink_to(f"../{name}")
        shutil.copy2(root / BUSYBOX.lstrip("/"), staging / "bin/busybox")
        applets = runner([str(staging / "bin/busybox"), "--list"]).stdout.split()
        for applet in applets:
            if applet != "busybox":
                (staging / "bin" / applet).symlink_to("busybox")
        chroot = ["chroot", str(root)]
        for program in PROGRAMS:
            shutil.copy2(root / program.lstrip("/"), staging / "bin" / Path(program).name)
            for lib in library_paths(runner([*chroot, "ldd", program]).stdout):
                _copy_in(root, staging, lib, runner)
        order: list[str] = []
        for module in recipe.modules:
            shown = runner([*chroot, "modprobe", "--show-depends", "--set-version", kernel, module]).stdout
            order += [p for p in module_paths(shown) if p not in order]
        for path in order:
            _copy_in(root, staging, path, runner)
        (staging / MODULES_ORDER).write_text("".join(f"{p}\n" for p in order))
        init = staging / "init"
        shutil.copy2(recipe.initramfs / "init", init)
        init.chmod(0o755)
        hook = staging / "bin/udhcpc-script"  # network boot: the DHCP lease onto the NIC
        shutil.copy2(recipe.initramfs / "udhcpc-script", hook)
        hook.chmod(0o755)
        names = sorted(str(p.relative_to(staging)) for p in staging.rglob("*"))
        archive = Path(tmp + ".cpio")
        try:
            runner(["cpio", "--create", "--format=newc", "--owner=0:0", "--quiet", "-D", str(staging),
                    f"--file={archive}"], input="\n".join(names) + "\n")
            output.write_bytes(gzip.compress(archive.read_bytes(), compresslevel=6, mtime=0))
        finally:
            archive.unlink(missing_ok=True)
