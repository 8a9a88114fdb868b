"""Boot configuration: the shared grub.cfg (checked by grub's own grub-script-check), the
arguments the node keeps from the installer's command line, and the grub install commands."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.platform import load
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Transaction
from ovirt_node.installer.image import ImageVersion
from ovirt_node.installer.steps.bootloader import (
    DEFAULT_CRASHKERNEL,
    Slot,
    WriteBootConfig,
    boot_args_from_config,
    carried_args,
    grub_config,
    install_commands,
    set_default_command,
)

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
    text = grub_config("oVirt Node", NEW, OLD, ["console=ttyS0,115200n8", "crashkernel=384M"])
    _script_check(text, tmp_path)
    assert "set default='slot-Root'" in text and 'set default="$saved_entry"' in text
    entries = [line for line in text.splitlines() if line.startswith("menuentry")]
    assert entries == ["menuentry 'oVirt Node 4.1.2-3.el9' --id 'slot-Root' {",
                       "menuentry 'BACKUP oVirt Node 4.1.1-1.el9' --id 'slot-RootBackup' {"]
    assert ("  linux /vmlinuz 'root=live:/dev/mapper/HostVG-Root' 'rd.lvm.lv=HostVG/Root' 'rd.live.image' 'ro' "
            "'console=ttyS0,115200n8' 'crashkernel=384M'") in text
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
    # UEFI's loaders are files (InstallEfiLoaders: Debian's signed shim and grub), not grub-install's
    assert [c[:2] for c in bios_machine] == [[tool, "--target=i386-pc"]] and bios_machine[0][-1] == disk
    uefi_machine = install_commands(load(platform), disk, disk, 2, uefi=True)
    assert uefi_machine[-1] == ["efibootmgr", "--create", "--disk", disk, "--part", "2", "--label", "oVirt Node",
                                "--loader", "\\EFI\\debian\\shimx64.efi"]
    assert set_default_command(load(platform), OLD) == [
        tool.replace("install", "editenv"), f"/boot/efi/{grub_dir}/grubenv", "set", "saved_entry=slot-RootBackup"]


def _linux_lines(text: str) -> list[str]:
    """The entries' kernel lines without the trial's two variables every entry ends with."""
    return [line.strip().removesuffix(" $ovirt_trial_arg $ovirt_panic_arg") for line in text.splitlines()
            if line.strip().startswith("linux ")]


def test_every_entry_reserves_crash_memory_by_ram_by_default(tmp_path: Path) -> None:
    text = grub_config("oVirt Node", NEW, OLD, ["console=ttyS0,115200n8"])
    _script_check(text, tmp_path)
    assert DEFAULT_CRASHKERNEL == "crashkernel=1G-4G:256M,4G-64G:384M,64G-:512M"
    lines = _linux_lines(text)
    assert len(lines) == 2 and all(line.endswith(f"'console=ttyS0,115200n8' '{DEFAULT_CRASHKERNEL}'")
                                   for line in lines)


@pytest.mark.parametrize(("given", "kept"), [
    ("crashkernel=512M", "crashkernel=512M"),
    ("crashkernel=2G-:1G", "crashkernel=2G-:1G"),
    ("crashkernel=0", "crashkernel=0"),  # the operator's way to reserve nothing
    ("crashkernel=auto", DEFAULT_CRASHKERNEL),  # 3.x's EL-only value: Debian's kernel refuses it
])
def test_a_crashkernel_given_at_install_is_kept(given: str, kept: str) -> None:
    args = carried_args(cmdline.parse(f"root=live:CDLABEL=N storage_init=/dev/vda console=ttyS0 {given}"))
    line = _linux_lines(grub_config("oVirt Node", NEW, None, args))[0]
    assert line.count("crashkernel=") == 1 and line.endswith(f"'console=ttyS0' '{kept}'")


def test_an_upgrade_adds_the_reservation_to_a_menu_that_has_none(tmp_path: Path) -> None:
    """A node installed before kdump worked: its menu's arguments are kept, and the upgraded
    entries reserve crash memory; a second upgrade adds nothing more."""
    platform = load("debian")
    grub = tmp_path / "esp" / platform.path("grub-dir")
    grub.mkdir(parents=True)
    (grub / "grubenv").write_text("# GRUB Environment Block\n")
    old_menu = grub_config("oVirt Node", OLD, None, ["console=ttyS0", "crashkernel=0"])
    (grub / "grub.cfg").write_text(old_menu.replace(" 'crashkernel=0'", ""))
    assert "crashkernel" not in (grub / "grub.cfg").read_text()
    ctx = Context(root=Root.at(tmp_path))
    for _ in range(2):
        Transaction("upgrade", [WriteBootConfig(platform, tmp_path / "esp", "oVirt Node", NEW, OLD, None)]).run(ctx)
        text = (grub / "grub.cfg").read_text()
        _script_check(text, tmp_path)
        assert boot_args_from_config(text) == ["console=ttyS0", DEFAULT_CRASHKERNEL]
        assert all(line.count("crashkernel=") == 1 for line in _linux_lines(text))


def test_the_last_crashkernel_wins_and_bad_values_are_named() -> None:
    from ovirt_node.installer.steps.bootloader import crashkernel_problem, with_crashkernel

    assert with_crashkernel(["crashkernel=128M", "quiet", "crashkernel=512M"]) == ["quiet", "crashkernel=512M"]
    assert with_crashkernel(["crashkernel=512M", "crashkernel=auto"]) == [DEFAULT_CRASHKERNEL]
    for good in ("256M", "0", "512M@16M", "1G,high", "1G-4G:256M,4G-64G:384M,64G-:512M", "2G-:1G@64M", "auto"):
        assert crashkernel_problem(good) is None, good
    for bad in ("", "lots", "256X", "1G-4G", "256M quiet", "1G-4G:256M,"):
        assert crashkernel_problem(bad) == (f"must be a size such as 256M, or sizes by RAM such as "
                                            f"1G-4G:256M,4G-:512M, not {bad!r}")


@pytest.mark.parametrize(("line", "kept"), [
    # The initramfs fetched the image with the boot NIC up: the live system's names are the kernel's.
    ("root=live:http://10.0.2.2:8080/ BOOTIF=01-52-54-00-12-34-56 storage_init", ["net.ifnames=0"]),
    ("root=live:https://pxe.example.com/node/ console=ttyS0", ["console=ttyS0", "net.ifnames=0"]),
    # An operator's own choice stays as it is, once.
    ("root=live:http://pxe/ net.ifnames=1", ["net.ifnames=1"]),
    # From the CD or USB udev names every NIC itself, as it will on the node.
    ("root=live:CDLABEL=OVIRT-NODE storage_init", []),
])
def test_a_network_booted_install_keeps_the_kernels_nic_names_on_the_node(line: str, kept: list[str]) -> None:
    assert carried_args(cmdline.parse(line)) == kept
