"""Secure Boot (issue 25): under OVMF with Secure Boot enforced and Microsoft's keys enrolled,
the ISO boots through Debian's signed shim and grub into the installer, the install puts the
signed chain on the ESP with a boot entry on shim, and the installed node boots with Secure
Boot on. Then the same disk with an unsigned loader in place of shim is refused by the firmware.

The auto-install's arguments are in the media's menu (a copy of the ISO with only its grub.cfg
edited, as an operator would at the menu), since under Secure Boot the firmware does not boot
a kernel handed to qemu directly; typing them at grub over the serial line loses characters
(OVMF's own terminal driver reads the same UART). `no_timer_check`: under TCG on a loaded host
the kernel's IO-APIC timer check can fail (a panic); the installer carries it onto the node's
own line.
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.vm.flows import DONE, INSTALL_TIMEOUT, root_shell
from tests.vm.node import DEBUG_ARGS, NodeImage, admin_hash
from tests.vm.qemu import VM, Disk, Guest, create_disk

pytestmark = pytest.mark.vm

#: The firmware's line when it starts a boot option (OVMF's BdsDxe, on the serial line).
# Up to the end of the line: matched on a line still arriving, `[^\r\n]*` takes only its part so far.
STARTING = r'BdsDxe: starting Boot[0-9A-F]{4} "([^"]*)" from ([^\r\n]*)\r?\n'
REFUSED = r'BdsDxe: failed to load Boot[0-9A-F]{4} "([^"]*)" from [^\r\n]*: (Access Denied|Security Violation)'


def media_with_args(image: NodeImage, args: list[str], workdir: Path) -> Path:
    """A copy of the ISO whose menu entries carry `args` too (what an operator types at the
    menu's `e`): only /boot/grub/grub.cfg differs; xorriso replays the boot equipment (El
    Torito's BIOS and UEFI entries, the MBR, the appended ESP) as it is."""
    original = workdir / "grub.cfg.orig"
    original.unlink(missing_ok=True)
    subprocess.run(["xorriso", "-osirrox", "on", "-indev", str(image.iso), "-extract", "/boot/grub/grub.cfg",
                    str(original)], check=True, capture_output=True)
    menu = original.read_text()
    added = " ".join(f"'{arg}'" for arg in args)  # quoted: grub would expand the $ of a hash
    edited = re.sub(r"^(\s*linux /vmlinuz .*)$", lambda m: f"{m.group(1)} {added}", menu, flags=re.M)
    assert edited.count(added) == menu.count("linux /vmlinuz") > 0, menu
    (workdir / "grub.cfg").write_text(edited)
    iso = workdir / "secure-boot.iso"
    iso.unlink(missing_ok=True)
    subprocess.run(["xorriso", "-indev", str(image.iso), "-outdev", str(iso), "-boot_image", "any", "replay",
                    "-map", str(workdir / "grub.cfg"), "/boot/grub/grub.cfg"], check=True, capture_output=True)
    return iso


def test_secure_boot_install_and_boot(image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    start = time.monotonic()
    nvram = vm_workdir / "secure-boot-vars.fd"  # one machine: its boot entries survive the install
    disk = create_disk(vm_workdir / "secure-boot.qcow2", "24G")
    args = [*DEBUG_ARGS, "storage_init", "BOOTIF=link", f"adminpw={admin_hash()}", "no_timer_check"]
    iso = media_with_args(image, args, vm_workdir)

    media = Guest(name="sb-media", disks=[Disk(disk, "disk0")], cdrom=iso, secure_boot=True, nvram=nvram, nics=1)
    with VM(media, vm_workdir, artifacts) as vm:
        assert vm.console is not None
        started = vm.console.expect(STARTING, 600)
        assert "DVD" in started.group(1), started.group(0)
        vm.console.expect("Welcome to GRUB", 600)  # shim ran Debian's signed CD grub
        vm.console.expect(r"Booting `Install or upgrade", 600)
        finished = vm.console.expect(DONE, INSTALL_TIMEOUT).group(0)
        assert "done" in finished, vm.console.tail()
        vm.wait_exit(180)
    installed = time.monotonic() - start

    node = Guest(name="sb-node", disks=[Disk(disk, "disk0")], secure_boot=True, nvram=nvram, nics=1)
    with VM(node, vm_workdir, artifacts) as vm:
        assert vm.console is not None
        started = vm.console.expect(STARTING, 600)
        # the installer's NVRAM entry, on shim
        assert started.group(1) == "oVirt Node" and "\\EFI\\debian\\shimx64.efi" in started.group(2), started.group(0)
        shell = root_shell(vm)
        assert shell.check("mokutil --sb-state") == "SecureBoot enabled"
        assert "root=live:/dev/mapper/HostVG-Root" in shell.check("cat /proc/cmdline")
        # the kernel itself says the firmware enforced it
        assert "Secure boot enabled" in shell.check("dmesg | grep -i 'secure boot' || true")
        # the ESP (partition 2; the node mounts it only when it needs it)
        shell.check("mkdir -p /run/esp && mount -t vfat /dev/disk/by-id/virtio-disk0-part2 /run/esp")
        esp = shell.check("(cd /run/esp && find EFI -type f | sort)")  # a subshell: the ESP is unmounted below
        assert esp.split() == ["EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi",
                               "EFI/debian/grub.cfg", "EFI/debian/grubx64.efi", "EFI/debian/mmx64.efi",
                               "EFI/debian/shimx64.efi"], esp
        # The same ESP with an unsigned shim (the node has shim-unsigned's build beside the signed one).
        shell.check("cp /usr/lib/shim/shimx64.efi /run/esp/EFI/debian/shimx64.efi && "
                    "cp /usr/lib/shim/shimx64.efi /run/esp/EFI/BOOT/BOOTX64.EFI && umount /run/esp")
        vm.powerdown(180)
    booted = time.monotonic() - start - installed

    refused = Guest(name="sb-unsigned", disks=[Disk(disk, "disk0")], secure_boot=True, nvram=nvram, nics=0)
    with VM(refused, vm_workdir, artifacts) as vm:
        assert vm.console is not None
        first = vm.console.expect(REFUSED, 600)
        assert first.group(1) == "oVirt Node", first.group(0)
        vm.console.expect(REFUSED, 300)  # the removable-media path on the disk too
        assert "Welcome to GRUB" not in vm.console.tail(200)
    (artifacts / "duration").write_text(f"install {installed:.0f} s, node boot {booted:.0f} s, "
                                        f"total {time.monotonic() - start:.0f} s\n")
