"""Scenario 6 of the VM proof: reinstall gives a fresh node; uninstall leaves the disks blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm.flows import Installed, boot_disk, root_shell, run_media
from tests.vm.node import NodeImage, admin_hash
from tests.vm.qemu import VM, Disk, Guest, overlay

pytestmark = pytest.mark.vm


def test_reinstall_gives_a_fresh_node(installed: Installed, image: NodeImage, vm_workdir: Path,
                                      artifacts: Path) -> None:
    disk = overlay(installed.disk, vm_workdir / "reinstall.qcow2")
    disks = [Disk(disk, "disk0")]
    args = ["reinstall", "storage_init", f"adminpw={admin_hash()}", "hostname=fresh.example.com"]
    run = run_media(image, disks, args, vm_workdir, artifacts, name="reinstall-media")
    assert "done" in run.finished, run.console
    with boot_disk(disks, vm_workdir, artifacts, "reinstalled") as vm:
        shell = root_shell(vm)
        assert shell.check("hostname") == "fresh.example.com"
        # The first install's settings are gone with its Config volume.
        assert "PasswordAuthentication yes" not in shell.check("sshd -T 2>/dev/null | grep -i passwordauth || true")
        vm.powerdown()


def test_uninstall_leaves_blank_disks(installed: Installed, image: NodeImage, vm_workdir: Path,
                                      artifacts: Path) -> None:
    disk = overlay(installed.disk, vm_workdir / "uninstall.qcow2")
    disks = [Disk(disk, "disk0")]
    run = run_media(image, disks, ["uninstall"], vm_workdir, artifacts, name="uninstall-media")
    assert "done" in run.finished, run.console
    # Look at the disk from the media again, with nothing to do: no VG, no partition, no signature.
    guest = Guest(name="after-uninstall", disks=disks, cdrom=image.iso, kernel=image.kernel, initrd=image.initrd,
                  append=" ".join([*image.media_args(), "systemd.debug_shell=ttyS1"]))
    with VM(guest, vm_workdir, artifacts) as vm:
        shell = root_shell(vm)
        device = "/dev/disk/by-id/virtio-disk0"
        assert "HostVG" not in shell.check("vgs --noheadings -o vg_name 2>/dev/null || true")
        assert shell.check(f"lsblk -nr -o NAME {device} | wc -l") == "1", "partitions are left"
        assert shell.check(f"wipefs --no-act --noheadings {device} | wc -l") == "0", "signatures are left"
