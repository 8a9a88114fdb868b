"""Secure Boot (issue 25): under OVMF with Secure Boot enforced and Microsoft's keys enrolled,
the ISO boots through Debian's signed shim and grub into the installer, the install puts the
signed chain on the ESP with a boot entry on shim, and the installed node boots with Secure
Boot on. Then the same disk with an unsigned loader in place of shim is refused by the firmware.

The auto-install's arguments are typed at the media's grub on the serial line (its command
line: `c`), as an operator would, since under Secure Boot the firmware does not boot a kernel
handed to qemu directly. `no_timer_check`: under TCG on a loaded host the kernel's IO-APIC timer
check can fail (a panic); the installer carries it onto the node's own line.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import DONE, INSTALL_TIMEOUT, root_shell
from tests.vm.node import DEBUG_ARGS, NodeImage, admin_hash
from tests.vm.qemu import VM, Disk, Guest, create_disk

pytestmark = pytest.mark.vm

GRUB_MENU = r"will be executed automatically in"
GRUB_PROMPT = "grub> "
#: The firmware's line when it starts a boot option (OVMF's BdsDxe, on the serial line).
STARTING = r'BdsDxe: starting Boot[0-9A-F]{4} "([^"]*)" from ([^\r\n]*)'
REFUSED = r'BdsDxe: failed to load Boot[0-9A-F]{4} "([^"]*)" from [^\r\n]*: (Access Denied|Security Violation)'


#: grub echoes a typed character after moving the cursor to it.
ECHO = r"\x1b\[[0-9;]*H"


def grub_command(console: Console, command: str, timeout: float = 300) -> str:
    """Type one command at grub's prompt, a character at a time, each after the echo of the
    one before (grub under TCG, drawing on two terminals, loses characters sent at once);
    what it printed before the next prompt."""
    for char in command:
        console.send(char)
        console.expect(ECHO + re.escape(char), 30)
    console.sendline()
    console.expect(re.escape(GRUB_PROMPT), timeout)
    return console.before


def boot_media_with(console: Console, image: NodeImage, args: list[str]) -> None:
    """At the media's grub menu, boot its kernel with `args` added (grub's command line)."""
    console.expect(GRUB_MENU, 600)
    console.send("c")
    console.expect(re.escape(GRUB_PROMPT), 60)
    line = " ".join([*image.media_args(), *args])
    printed = grub_command(console, f"linux /vmlinuz {line}")
    assert "error" not in printed.lower(), printed  # shim's verifier accepted Debian's kernel
    printed = grub_command(console, "initrd /initrd.img")
    assert "error" not in printed.lower(), printed
    console.sendline("boot")


def test_secure_boot_install_and_boot(image: NodeImage, vm_workdir: Path, artifacts: Path) -> None:
    start = time.monotonic()
    nvram = vm_workdir / "secure-boot-vars.fd"  # one machine: its boot entries survive the install
    disk = create_disk(vm_workdir / "secure-boot.qcow2", "24G")
    args = [*DEBUG_ARGS, "storage_init", "BOOTIF=link", f"'adminpw={admin_hash()}'", "no_timer_check"]

    media = Guest(name="sb-media", disks=[Disk(disk, "disk0")], cdrom=image.iso, secure_boot=True, nvram=nvram,
                  nics=1)
    with VM(media, vm_workdir, artifacts) as vm:
        assert vm.console is not None
        started = vm.console.expect(STARTING, 600)
        assert "DVD" in started.group(1) or "CDROM" in started.group(2), started.group(0)
        boot_media_with(vm.console, image, args)
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
        esp = shell.check("cd /boot/efi && find EFI -type f | sort")
        assert esp.split() == ["EFI/BOOT/BOOTX64.EFI", "EFI/BOOT/grubx64.efi", "EFI/BOOT/mmx64.efi",
                               "EFI/debian/grub.cfg", "EFI/debian/grubx64.efi", "EFI/debian/mmx64.efi",
                               "EFI/debian/shimx64.efi"], esp
        # The same ESP with an unsigned shim (the node has shim-unsigned's build beside the signed one).
        shell.check("for f in EFI/debian/shimx64.efi EFI/BOOT/BOOTX64.EFI; do "
                    "cp /usr/lib/shim/shimx64.efi /boot/efi/$f; done; sync")
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
