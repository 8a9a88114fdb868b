"""Scenario 5 of the VM proof: a manual install through the installer's screens on the serial
console (basic mode, 80x24): the boot disk out of two, a swap size and the admin password typed;
the installed node boots and admin logs in with that password.

The machine is a UEFI one (OVMF, its variable store kept across its boots), so this is also
the proof of the installer's UEFI path: its `efibootmgr` entry is what the firmware boots, and
an uninstall from the media removes it again (scenario 1 installs under SeaBIOS)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import INSTALL_TIMEOUT, boot_disk, root_shell, run_media
from tests.vm.node import DEBUG_ARGS, NodeImage
from tests.vm.qemu import VM, Disk, Guest, create_disk

pytestmark = pytest.mark.vm

TAB, ENTER, DOWN = "\t", "\r", "\x1b[B"
PASSWORD = "Manual-install-7"  # noqa: S105 - a throwaway guest's password


def step(console: Console, shown: str, *keys: str, timeout: float = 120) -> str:
    """Wait for a screen showing `shown`, then press `keys`; the screen as it was."""
    screen = console.wait_screen(shown, timeout)
    for key in keys:
        console.send(key)
    return screen


def test_manual_install_through_the_screens(image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    boot = create_disk(vm_workdir / "manual-boot.qcow2", "24G")
    data = create_disk(vm_workdir / "manual-data.qcow2", "8G")
    disks = [Disk(boot, "disk0"), Disk(data, "disk1")]
    nvram = vm_workdir / "manual-OVMF_VARS.fd"
    # No install argument: the media puts the installer's screens on the main console (ttyS0).
    guest = Guest(name="manual-install", disks=disks, cdrom=image.iso, kernel=image.kernel, initrd=image.initrd,
                  append=" ".join([*image.media_args(), *DEBUG_ARGS]), uefi=True, nvram=nvram)
    with VM(guest, vm_workdir, artifacts) as vm:
        console = vm.console
        assert console is not None
        welcome = step(console, "What to do:", TAB, ENTER, timeout=400)
        assert "Install" in welcome and image.version in welcome
        step(console, "Keymap:", TAB, ENTER)
        console.wait_screen("The node boots from this disk", 60)
        screen = step(console, "disk1", TAB, ENTER)  # the rows come from a worker
        assert "disk0" in screen
        # Data devices: the boot disk alone (the second disk is left as it is).
        step(console, "HostVG spans these disks", TAB, ENTER)
        screen = console.wait_screen("Data gets the rest", 60)
        console.send("1024")  # Swap: 1 GiB
        step(console, "Data gets the rest", TAB, ENTER)
        console.wait_screen("The password of the admin user", 60)
        console.send(PASSWORD + DOWN + PASSWORD)
        strength = console.wait(lambda s: re.search(r"Strength: +\w", s) is not None, 30, "the password's strength")
        assert "error loading dictionary" not in strength, strength
        console.send(TAB + ENTER)
        confirm = console.wait(lambda s: "These disks will be ERASED:" in s and "serial disk0" in s, 60,
                               "the disks to erase")
        assert "serial disk0" in confirm and "serial disk1" not in confirm
        console.send("ERASE")
        console.send(TAB + ENTER)
        console.wait_screen(": done. Remove the boot media and reboot.", INSTALL_TIMEOUT)
        console.wait_screen("< Reboot >", 60)
        console.send(ENTER)  # Reboot (focused): qemu ends (-no-reboot)
        vm.wait_exit(180)

    with boot_disk(disks, vm_workdir, artifacts, "manual-installed", uefi=True, nvram=nvram) as vm:
        shell = root_shell(vm)
        assert shell.check("pvs --noheadings -o vg_name | grep -c HostVG") == "1"  # the boot disk only
        assert shell.check("lvs --noheadings --units m -o lv_size HostVG/Swap").strip().startswith("1024")
        entries = shell.check("efibootmgr")
        current = re.search(r"BootCurrent: (\w+)", entries)
        assert current and re.search(rf"Boot{current.group(1)}\*? +oVirt Node", entries), entries
        vm.console.login("admin", PASSWORD)
        vm.console.wait_screen("F12", 180)
        vm.powerdown()

    run = run_media(image, disks, ["uninstall"], vm_workdir, artifacts, name="manual-uninstall", uefi=True,
                    nvram=nvram)
    assert "done" in run.finished, run.console
    # The media again, with nothing to do: its shell reads the firmware's entries.
    guest = Guest(name="after-uninstall", disks=disks, cdrom=image.iso, kernel=image.kernel, initrd=image.initrd,
                  append=" ".join([*image.media_args(), *DEBUG_ARGS]), uefi=True, nvram=nvram)
    with VM(guest, vm_workdir, artifacts) as vm:
        entries = root_shell(vm).check("efibootmgr")
        assert "oVirt Node" not in entries, entries
