"""The boot-time decision (install / installer / first-boot TUI / normal boot / stateless) from
the kernel arguments and the disk state, including the command lines the boot media and the
installer really write."""

from __future__ import annotations

import pytest

from ovirt_node.boot.decision import Mode, Source, consoles, decide, source
from ovirt_node.core.cmdline import parse
from ovirt_node.image import iso
from ovirt_node.installer.image import ImageVersion
from ovirt_node.installer.steps.bootloader import Slot, grub_config

VERSION = ImageVersion("oVirt Node", "4.0.0", "1")
MEDIA = " ".join(iso.media_args("OVIRT_NODE"))
DISK = "root=live:/dev/mapper/HostVG-Root rd.lvm.lv=HostVG/Root rd.live.image ro console=ttyS0,115200n8"


def kernel_lines(grub_cfg: str) -> list[str]:
    return [line.strip().split(" ", 2)[2] for line in grub_cfg.splitlines() if line.strip().startswith("linux ")]


def test_the_media_menu_entries_decide_installer_reinstall_and_uninstall() -> None:
    lines = kernel_lines(iso.grub_config(VERSION, "OVIRT_NODE"))
    plans = [decide(parse(line), has_node=True, configured=True) for line in lines]
    assert [p.mode for p in plans] == [Mode.INSTALLER, Mode.AUTO_INSTALL, Mode.AUTO_INSTALL]
    assert "reinstall" in plans[1].reason and "uninstall" in plans[2].reason
    # The media never touches HostVG itself: the installer does, knowing what it is asked.
    assert not any(p.mount_config or p.apply_kernel_args for p in plans)
    # The main console is the serial one (the last console=), where the installer runs.
    assert all(p.consoles == ("ttyS0",) for p in plans)
    # Kernel info messages stay off the consoles the TUIs draw on (the VM proof saw a bond's
    # messages land in the middle of the Network page); the installer carries this along.
    assert all("quiet" in parse(line).names() for line in lines)


def test_the_installed_node_kernel_line_is_a_disk_boot() -> None:
    cfg = grub_config("oVirt Node", Slot("Root", VERSION), Slot("RootBackup", VERSION), ["console=ttyS0"])
    lines = [line.replace("'", "") for line in kernel_lines(cfg)]
    assert len(lines) == 2
    assert [source(parse(line)) for line in lines] == [Source.DISK, Source.DISK]
    assert source(parse(MEDIA)) is Source.MEDIA


@pytest.mark.parametrize("extra", ["storage_init=/dev/vda", "storage_init", "upgrade", "updateonly", "reinstall",
                                   "firstboot", "uninstall", "ovirt_init=/dev/sda", "storage_init=/dev/vda adminpw=x"])
def test_media_with_install_arguments_runs_the_unattended_installer(extra: str) -> None:
    plan = decide(parse(f"{MEDIA} {extra}"), has_node=False, configured=False)
    assert plan.mode is Mode.AUTO_INSTALL
    assert plan.consoles == ("ttyS0",)


@pytest.mark.parametrize("extra", ["", "install", "BOOTIF=link hostname=n1.example.com", "reinstall=0", "upgrade=no"])
def test_media_without_install_arguments_runs_the_installer_interactively(extra: str) -> None:
    for has_node in (False, True):
        assert decide(parse(f"{MEDIA} {extra}"), has_node, False).mode is Mode.INSTALLER


def test_installed_and_configured_boots_normally_with_config_restored() -> None:
    plan = decide(parse(DISK), has_node=True, configured=True)
    assert (plan.mode, plan.mount_config, plan.apply_kernel_args, plan.consoles) == (Mode.NORMAL, True, False, ())


def test_installed_not_configured_runs_the_setup_tui_on_tty1_and_the_serial_console() -> None:
    plan = decide(parse(DISK + " hostname=n1.example.com"), has_node=True, configured=False)
    assert plan.mode is Mode.FIRSTBOOT
    assert plan.mount_config and plan.apply_kernel_args
    assert plan.consoles == ("tty1", "ttyS0")
    no_serial = decide(parse(DISK.replace("console=ttyS0,115200n8", "")), has_node=True, configured=False)
    assert no_serial.consoles == ("tty1",)


def test_disk_boot_ignores_installer_arguments() -> None:
    # An installed node must not wipe itself because an argument was left on its kernel line.
    assert decide(parse(DISK + " storage_init=/dev/vda reinstall"), True, True).mode is Mode.NORMAL


def test_disk_boot_without_hostvg_restores_nothing() -> None:
    plan = decide(parse(DISK), has_node=False, configured=False)
    assert plan.mode is Mode.FIRSTBOOT and not plan.mount_config


@pytest.mark.parametrize("line", [MEDIA, DISK, f"{MEDIA} storage_init=/dev/vda", f"{DISK} reinstall"])
def test_stateless_wins_and_never_touches_disks(line: str) -> None:
    plan = decide(parse(f"{line} stateless"), has_node=True, configured=True)
    assert plan.mode is Mode.STATELESS
    assert not plan.mount_config and plan.apply_kernel_args and plan.consoles == ()
    assert decide(parse(f"{line} stateless=0"), True, True).mode is not Mode.STATELESS


@pytest.mark.parametrize(("line", "main", "named"), [
    ("", "tty1", ["tty1"]),
    ("console=tty0", "tty1", ["tty1"]),
    ("console=ttyS1,9600", "ttyS1", ["ttyS1"]),
    ("console=ttyS0,115200n8 console=tty0", "tty1", ["ttyS0", "tty1"]),
    ("console=tty0 console=ttyS0 console=tty0", "tty1", ["ttyS0", "tty1"]),
    ("console=/dev/ttyS0", "ttyS0", ["ttyS0"]),
])
def test_consoles(line: str, main: str, named: list[str]) -> None:
    assert consoles(parse(line)) == (main, named)
