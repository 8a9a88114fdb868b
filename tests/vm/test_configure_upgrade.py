"""Scenarios 3 and 4 of the VM proof, one building on the other as the issue has them.

3: an active-backup bond of two NICs with a VLAN carrying a static IPv4 address, a host name,
DNS servers and remote logging, configured through the setup TUI on the serial console (the
`configured` fixture, which checks them live); after a reboot the node has all of it again,
from what it persisted in /config, and the bond fails over when its active slave's link goes.
4: that node upgraded from newer media (both ways: `ovirt-node-upgrade --iso` on the running
node, and the media booted with `upgrade`) and rolled back, scenario 3's configuration intact
after each boot."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm.configure import check_bond_failover, check_configured
from tests.vm.flows import boot_disk, health_decided, root_shell, run_media, running_version
from tests.vm.node import NodeImage
from tests.vm.qemu import Disk, overlay

pytestmark = pytest.mark.vm


def test_tui_configuration_survives_a_reboot(configured: Path, vm_workdir: Path, artifacts: Path) -> None:
    disk = overlay(configured, vm_workdir / "configured-reboot.qcow2")
    with boot_disk([Disk(disk, "disk0")], vm_workdir, artifacts, "rebooted") as vm:
        shell = root_shell(vm)
        check_configured(shell)
        check_bond_failover(vm, shell)
        vm.powerdown()


def test_upgrade_then_rollback(configured: Path, image: NodeImage, newer_image: NodeImage, vm_workdir: Path,
                               artifacts: Path) -> None:
    """Both ways to upgrade: `ovirt-node-upgrade --iso` on the running node, and booting the
    newer media with `upgrade`; and `ovirt-node-upgrade --rollback` between them. Each boot
    has scenario 3's configuration (made through the TUI) as it was."""
    disk = overlay(configured, vm_workdir / "upgrade.qcow2")
    disks = [Disk(disk, "disk0")]
    with boot_disk(disks, vm_workdir, artifacts, "before-upgrade", cdrom=newer_image.iso) as vm:
        shell = root_shell(vm)
        assert running_version(shell) == image.version
        # Reading the Console path mounts the ESP only while it reads the boot menu.
        assert "ttyS0" in shell.check("ovirt-node-config get boot.console")
        assert shell.check("findmnt -rn -o FSTYPE --mountpoint /boot/efi || echo none") == "none"
        # An administrator's mount of it (read-write) does not stop the upgrade: it lets it go.
        shell.check("mount /boot/efi")
        assert shell.check("findmnt -rn -o FSTYPE --mountpoint /boot/efi") == "vfat"
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
        check_configured(shell)
        if "ovirt.trial=1" in shell.check("cat /proc/cmdline"):
            # An upgrade or rollback boots as a trial: its health checks commit it (the unit
            # runs after the boot has finished), before the next switch or the power-off.
            assert health_decided(shell) == "exited", shell.check("ovirt-node-upgrade --status")
            assert "trial boot: healthy: committed" in shell.check("ovirt-node-upgrade --status")
        if command:
            shell.check(command, 300)
        vm.powerdown()
