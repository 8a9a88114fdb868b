"""Boot configuration: the shared grub.cfg (checked by grub's own grub-script-check), the
arguments the node keeps from the installer's command line, and the grub install commands."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ovirt_node.core import cmdline
from ovirt_node.core.platform import load
from ovirt_node.installer.image import ImageVersion
from ovirt_node.installer.steps.bootloader import Slot, carried_args, grub_config, install_commands, set_default_command

NEW = Slot("Root", ImageVersion("oVirt Node", "4.1.2", "3.el9"))
OLD = Slot("RootBackup", ImageVersion("oVirt Node", "4.1.1", "1.el9"))


def _script_check(text: str, tmp_path: Path) -> None:
    checker = shutil.which("grub-script-check")
    assert checker, "grub-common is not installed (make test installs it)"
    path = tmp_path / "grub.cfg"
    path.write_text(text)
    result = subprocess.run([checker, str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or result.stdout


def test_grub_config_has_the_active_slot_first_and_the_backup(tmp_path: Path) -> None:
    text = grub_config("oVirt Node", NEW, OLD, ["console=ttyS0,115200n8", "crashkernel=auto"])
    _script_check(text, tmp_path)
    assert "set default='slot-Root'" in text and 'set default="$saved_entry"' in text
    entries = [line for line in text.splitlines() if line.startswith("menuentry")]
    assert entries == ["menuentry 'oVirt Node 4.1.2-3.el9' --id 'slot-Root' {",
                       "menuentry 'BACKUP oVirt Node 4.1.1-1.el9' --id 'slot-RootBackup' {"]
    assert ("  linux /vmlinuz 'root=live:/dev/mapper/HostVG-Root' 'rd.lvm.lv=HostVG/Root' 'rd.live.image' 'ro' "
            "'console=ttyS0,115200n8' 'crashkernel=auto'") in text
    assert "  set root=(lvm/HostVG-RootBackup)" in text and text.count("  initrd /initrd.img") == 2


def test_first_install_has_one_entry_and_odd_arguments_stay_one_word(tmp_path: Path) -> None:
    text = grub_config("oVirt Node", NEW, None, ["opt=it's; $(reboot) {x}"])
    _script_check(text, tmp_path)
    assert "BACKUP" not in text
    assert "'opt=it'\\''s; $(reboot) {x}'" in text


def test_the_node_keeps_console_and_tuning_but_not_installer_arguments_or_secrets() -> None:
    args = cmdline.parse("BOOT_IMAGE=/vmlinuz root=live:CDLABEL=NODE rd.live.image console=tty0 "
                         "console=ttyS0,115200 storage_init=/dev/sda storage_vol=:2048 ovirt_firstboot "
                         "adminpw=$6$salt$hash BOOTIF=eth0 ssh_pwauth=1 intel_iommu=on quiet")
    assert carried_args(args, consumed={"ssh_pwauth"}) == ["console=tty0", "console=ttyS0,115200",
                                                          "intel_iommu=on", "quiet"]


@pytest.mark.parametrize(("platform", "tool", "grub_dir"), [("el", "grub2-install", "grub2"),
                                                            ("debian", "grub-install", "grub")])
def test_grub_installed_for_bios_and_uefi_with_the_platforms_names(platform: str, tool: str, grub_dir: str) -> None:
    disk = "/dev/disk/by-id/virtio-X"
    bios_machine = install_commands(load(platform), disk, disk, 2, uefi=False)
    assert [c[:2] for c in bios_machine] == [[tool, "--target=i386-pc"], [tool, "--target=x86_64-efi"]]
    assert bios_machine[0][-1] == disk and "--removable" in bios_machine[1] and "--no-nvram" in bios_machine[1]
    uefi_machine = install_commands(load(platform), disk, disk, 2, uefi=True)
    assert uefi_machine[-1] == ["efibootmgr", "--create", "--disk", disk, "--part", "2", "--label", "oVirt Node",
                                "--loader", "\\EFI\\ovirt-node\\grubx64.efi"]
    assert set_default_command(load(platform), OLD) == [
        tool.replace("install", "editenv"), f"/boot/efi/{grub_dir}/grubenv", "set", "saved_entry=slot-RootBackup"]
