"""Scenario 6 of the VM proof: reinstall gives a fresh node; uninstall leaves the disks blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import Installed, boot_disk, root_shell, run_media
from tests.vm.node import NodeImage, admin_hash
from tests.vm.qemu import VM, Disk, Guest, overlay

pytestmark = pytest.mark.vm


def test_reinstall_gives_a_fresh_node(installed: Installed, image: NodeImage, vm_workdir: Path,
                                      artifacts: Path) -> None:
    disk = overlay(installed.disk, vm_workdir / "reinstall.qcow2")
    disks = [Disk(disk, "disk0")]
    args = ["reinstall", "storage_init", f"adminpw={admin_hash()}", "hostname=fresh.example.com",
            "keyboard=de-latin1"]
    run = run_media(image, disks, args, vm_workdir, artifacts, name="reinstall-media")
    assert "done" in run.finished, run.console
    with boot_disk(disks, vm_workdir, artifacts, "reinstalled") as vm:
        shell = root_shell(vm)
        assert shell.check("hostname") == "fresh.example.com"
        check_keymap(shell, "de-latin1", 21, "z")  # qwertz: z right of T
        # A change on the running node goes through localed, which replaces vconsole.conf by
        # rename: it is loaded at once and its persisted copy follows.
        assert shell.check("ovirt-node-config set keyboard.keymap=fr-latin9 >/dev/null 2>&1; echo $?") == "0"
        check_keymap(shell, "fr-latin9", 16, "a")  # azerty: a right of Tab
        assert "KEYMAP=fr-latin9" in shell.check("cat /config/etc/vconsole.conf")
        # The first install's settings are gone with its Config volume.
        # (the first had ssh_pwauth=1; the image's default is no password logins)
        assert shell.check("sshd -T 2>/dev/null | grep '^passwordauthentication '") == "passwordauthentication no"
        vm.powerdown()


def check_keymap(shell: Console, name: str, keycode: int, symbol: str) -> None:
    """The node's keymap is `name` in its settings, for localed, and loaded in the kernel's
    keyboard map (which `symbol` the key `keycode` gives tells layouts apart)."""
    assert shell.check("ovirt-node-config get keyboard.keymap") == name
    assert f"KEYMAP={name}" in shell.check("cat /etc/vconsole.conf")
    assert f"VC Keymap: {name}" in shell.check("localectl status")
    loaded = shell.check(f"dumpkeys -C /dev/tty0 | grep -E '^keycode +{keycode} ='")
    assert loaded.split("=")[1].split()[0].lstrip("+") == symbol, loaded


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
