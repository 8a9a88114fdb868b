"""What the VM scenarios share: the node images (built once, cached), the kernel lines that
boot the media as PXE would, and the checks made on a booted node through its root shell."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.installer.image import INITRD, KERNEL, parse_version
from tests.vm.shared import locked

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "build" / "vm-artifacts"
ISO = "ovirt-node.iso"
#: The harness's side door: systemd's own debug shell (root, no login) on the second serial
#: line. It is an ordinary kernel argument, so the installer carries it onto the installed
#: node's boot line like any other the operator gives, and every boot of the node has it.
DEBUG_ARGS = ("systemd.debug_shell=ttyS1",)
ADMIN_PASSWORD = "Node-test-pw1"  # noqa: S105 - a throwaway guest's password


@dataclass(frozen=True)
class NodeImage:
    """A built image directory: kernel, initrd, squashfs, version, and the hybrid ISO."""

    path: Path

    @property
    def kernel(self) -> Path:
        return self.path / KERNEL

    @property
    def initrd(self) -> Path:
        return self.path / INITRD

    @property
    def iso(self) -> Path:
        return self.path / ISO

    @property
    def version(self) -> str:
        return parse_version((self.path / "version").read_text()).version

    @property
    def label(self) -> str:
        """The ISO's volume id (ISO 9660's primary volume descriptor, sector 16, bytes 40-71)."""
        with self.iso.open("rb") as handle:
            handle.seek(16 * 2048 + 40)
            return handle.read(32).decode("ascii").strip()

    def media_args(self) -> list[str]:
        """The kernel line that finds this image's media by its label (what the ISO's own
        menu entries start with); scenarios append their own arguments."""
        from ovirt_node.image.iso import media_args

        return media_args(self.label)


def build_image(version: str | None = None) -> NodeImage:
    """`ovirt-node-image build` (a cache hit costs nothing); the output directory it prints."""
    argv = [str(Path(sys.executable).parent / "ovirt-node-image"), "build"]
    if version:
        argv += ["--version", version]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with locked(ARTIFACTS / ".image-build.lock"):  # two xdist workers: one builds, the other hits its cache
        done = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True, timeout=1800)
    return NodeImage(Path(done.stdout.strip().splitlines()[-1]))


def admin_hash(password: str = ADMIN_PASSWORD) -> str:
    """A SHA-512 crypt hash, as `adminpw=` takes it."""
    return subprocess.run(["openssl", "passwd", "-6", "-salt", "vmtestsalt", password], check=True,
                          stdout=subprocess.PIPE, text=True).stdout.strip()


def same_disk_content(a: Path, b: Path) -> bool:
    """Whether two qcow2 disks show the guest the same bytes (`qemu-img compare` reads only
    what either has allocated, so a blank 20 GB disk costs nothing)."""
    done = subprocess.run(["qemu-img", "compare", "-q", str(a), str(b)], check=False)
    if done.returncode > 1:
        raise RuntimeError(f"qemu-img compare {a} {b} failed ({done.returncode})")
    return done.returncode == 0


def artifacts_dir(test_name: str) -> Path:
    path = ARTIFACTS / test_name.replace("/", "_").replace("::", "-")
    path.mkdir(parents=True, exist_ok=True)
    return path


def in_ci() -> bool:
    return bool(os.environ.get("CI"))
