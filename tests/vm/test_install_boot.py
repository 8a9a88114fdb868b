"""Scenarios 1, 2 and 7 of the VM proof: the unattended install from the media, the installed
disk booting under SeaBIOS and under OVMF, and the installs that must be refused untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import (
    DEBUG_PROMPT,
    HOSTNAME,
    Installed,
    boot_disk,
    mount_source,
    root_shell,
    run_media,
    save_install_log,
    wait_for,
)
from tests.vm.node import ADMIN_PASSWORD, DEBUG_ARGS, NodeImage, admin_hash, same_disk_content
from tests.vm.qemu import VM, Disk, Guest, create_disk, overlay

pytestmark = pytest.mark.vm



def check_installed_node(shell: Console, artifacts: Path) -> None:
    """What scenario 1 asks of every boot of the installed node."""
    save_install_log(shell, artifacts)
    assert shell.check("findmnt -n -o FSTYPE /") == "overlay"
    cmdline = shell.check("cat /proc/cmdline")
    assert "root=live:/dev/mapper/HostVG-Root" in cmdline
    assert shell.check("findmnt -rn -o TARGET -S /dev/mapper/HostVG-Root"), "the Root slot is not mounted"
    assert mount_source(shell, "/config") == "/dev/mapper/HostVG-Config"
    assert mount_source(shell, "/var/log") == "/dev/mapper/HostVG-Logging"
    assert mount_source(shell, "/data") == "/dev/mapper/HostVG-Data"
    assert shell.check("swapon --show=NAME --noheadings") == "/dev/mapper/HostVG-Swap", "no swap on"
    # Persisted paths are bind mounts of their copies under /config.
    assert shell.check("findmnt -n -o SOURCE --mountpoint /etc/hostname") == "/dev/mapper/HostVG-Config[/etc/hostname]"
    assert shell.check("hostname") == HOSTNAME
    assert shell.check("cat /etc/hostname") == HOSTNAME
    assert "passwordauthentication yes" in shell.check("sshd -T 2>/dev/null | grep -i passwordauthentication").lower()
    # The ESP is mounted only while something uses it: the health run has read its grubenv and
    # left nothing mounted (an upgrade's own mount of the partition would be refused).
    wait_for("exited", shell, "systemctl show -P SubState ovirt-node-health.service", 600)
    assert shell.check("findmnt -rn -o FSTYPE --mountpoint /boot/efi || echo none") == "none"


NEW_PASSWORD = "Changed-at-login-4"  # noqa: S105 - a throwaway guest's password


def login_admin(vm: VM, shell: Console) -> str:
    """Log in as admin on the serial console with the adminpw= password, which must be changed
    at once (3.x's rule); the setup TUI comes up (its footer), and the new hash reaches the
    copy of /etc/shadow in /config. On ttyS0 the TUI is in basic mode."""
    stored_before = shell.check("grep '^admin:' /config/etc/shadow | cut -d: -f2")
    vm.console.login("admin", ADMIN_PASSWORD, timeout=300, new_password=NEW_PASSWORD)
    screen = vm.console.wait_screen("F12", 180)
    # the serial console: basic mode by itself (ASCII; F4 offers rich), though sudo runs it on a pty
    assert "F4 rich" in screen and "\u2502" not in screen, screen
    live = shell.check("grep '^admin:' /etc/shadow | cut -d: -f2")
    assert live != stored_before, "the password did not change"
    wait_for(re.escape(live), shell, "grep '^admin:' /config/etc/shadow | cut -d: -f2", 60)
    return screen


def test_auto_install_then_bios_boot(installed: Installed, vm_workdir: Path, artifacts: Path) -> None:
    disk = overlay(installed.disk, vm_workdir / "bios.qcow2")
    with boot_disk([Disk(disk, "disk0")], vm_workdir, artifacts, "bios") as vm:
        shell = root_shell(vm)
        check_installed_node(shell, artifacts)
        assert shell.check("[ -d /sys/firmware/efi ] && echo uefi || echo bios") == "bios"
        screen = login_admin(vm, shell)
        assert "oVirt Node" in screen or "Status" in screen, screen
        vm.powerdown()


def test_installed_disk_boots_under_uefi(installed: Installed, vm_workdir: Path, artifacts: Path) -> None:
    disk = overlay(installed.disk, vm_workdir / "uefi.qcow2")
    with boot_disk([Disk(disk, "disk0")], vm_workdir, artifacts, "uefi", uefi=True) as vm:
        shell = root_shell(vm)
        assert shell.check("[ -d /sys/firmware/efi ] && echo uefi || echo bios") == "uefi"
        check_installed_node(shell, artifacts)
        vm.powerdown()


@pytest.mark.parametrize("case", ["missing-disk", "storage-domain"])
def test_refused_install_changes_no_disk(case: str, image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    """Scenario 7: the install stops with a clear message, and no disk is changed."""
    disk = create_disk(vm_workdir / f"{case}.qcow2", "24G")
    if case == "storage-domain":
        prepare_storage_domain(image, disk, vm_workdir, artifacts)
        args = ["storage_init=/dev/disk/by-id/virtio-disk0"]
        expected = "storage domain"
    else:
        args = ["storage_init=/dev/disk/by-id/virtio-nosuchdisk"]
        expected = "nosuchdisk"
    before = shutil.copyfile(disk, disk.with_name(f"{case}.before.qcow2"))
    run = run_media(image, [Disk(disk, "disk0")], [*args, f"adminpw={admin_hash()}"], vm_workdir, artifacts,
                    name=f"refuse-{case}", timeout=600)
    assert "done" not in run.finished, run.console
    assert expected in run.console.lower(), run.console
    assert "nothing was changed" in run.console.lower(), run.console
    assert same_disk_content(Path(before), disk), "a refused install changed the disk"


def prepare_storage_domain(image: NodeImage, disk: Path, workdir: Path, artifacts: Path) -> None:
    """A disk holding an oVirt storage domain: a VG tagged RHAT_storage_domain, made from the
    media's own shell (the debug shell on ttyS1) with no install argument given."""
    append = " ".join([*image.media_args(), *DEBUG_ARGS])
    guest = Guest(name="make-storage-domain", disks=[Disk(disk, "disk0")], cdrom=image.iso, kernel=image.kernel,
                  initrd=image.initrd, append=append)
    with VM(guest, workdir, artifacts) as vm:
        shell = vm.shell
        assert shell is not None
        shell.expect(DEBUG_PROMPT, 300)
        shell.shell_ready()
        shell.check("udevadm settle")
        shell.check("pvcreate -ff -y /dev/disk/by-id/virtio-disk0 && "
                    "vgcreate --addtag RHAT_storage_domain sd1 /dev/disk/by-id/virtio-disk0 && "
                    "vgchange -an sd1", 120)
        shell.sendline("poweroff -f")
        vm.wait_exit(120)
