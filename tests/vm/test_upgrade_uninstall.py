"""Scenarios 4 and 6 of the VM proof: upgrade from newer media and roll back, with the
configuration intact; reinstall gives a fresh node; uninstall leaves the disks blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import HOSTNAME, Installed, boot_disk, root_shell, run_media
from tests.vm.node import NodeImage, admin_hash, build_image
from tests.vm.qemu import VM, Disk, Guest, overlay

pytestmark = pytest.mark.vm

SYSLOG = "logs.example.com"


@pytest.fixture(scope="session")
def newer_image(image: NodeImage) -> NodeImage:
    major, _, rest = image.version.partition(".")
    minor = rest.split(".", 1)[0] or "0"
    return build_image(version=f"{major}.{int(minor) + 1}.0")


def running_version(shell: Console) -> str:
    return shell.check(". /etc/ovirt-node/version 2>/dev/null || true; echo $VERSION")


def configure(shell: Console) -> None:
    """Some configuration the upgrade must keep: a remote syslog server."""
    shell.check(f"ovirt-node-config set logging.rsyslog.server={SYSLOG}", 300)


def assert_configuration_kept(shell: Console) -> None:
    assert shell.check("hostname") == HOSTNAME
    assert shell.check("ovirt-node-config get logging.rsyslog.server") == SYSLOG
    assert SYSLOG in shell.check("cat /etc/rsyslog.d/*.conf")


def test_upgrade_then_rollback(installed: Installed, image: NodeImage, newer_image: NodeImage, vm_workdir: Path,
                               artifacts: Path) -> None:
    """Both ways to upgrade: `ovirt-node-upgrade --iso` on the running node, and booting the
    newer media with `upgrade`; and `ovirt-node-upgrade --rollback` between them."""
    disk = overlay(installed.disk, vm_workdir / "upgrade.qcow2")
    disks = [Disk(disk, "disk0")]
    with boot_disk(disks, vm_workdir, artifacts, "before-upgrade", cdrom=newer_image.iso) as vm:
        shell = root_shell(vm)
        assert running_version(shell) == image.version
        configure(shell)
        shell.check("ovirt-node-upgrade --iso /dev/sr0", 900)
        vm.powerdown()

    boot_and_check(disks, vm_workdir, artifacts, "upgraded", newer_image.version, "ovirt-node-upgrade --rollback")
    boot_and_check(disks, vm_workdir, artifacts, "rolled-back", image.version)
    run = run_media(newer_image, disks, ["upgrade"], vm_workdir, artifacts, name="upgrade-media")
    assert "done" in run.finished, run.console
    boot_and_check(disks, vm_workdir, artifacts, "media-upgraded", newer_image.version)


def boot_and_check(disks: list[Disk], workdir: Path, artifacts: Path, name: str, version: str,
                   command: str | None = None) -> None:
    """Boot the installed disk: `version` runs, with the configuration kept; then `command`."""
    with boot_disk(disks, workdir, artifacts, name) as vm:
        shell = root_shell(vm)
        assert running_version(shell) == version
        assert_configuration_kept(shell)
        if command:
            shell.check(command, 300)
        vm.powerdown()


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
