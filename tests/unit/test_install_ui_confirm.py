"""Confirm: the engine's plan for the choices, the disks it erases, its warnings, and the
typed word before anything destructive; an impossible plan disables Continue with the
engine's reason."""

from __future__ import annotations

from ovirt_node.installer.plan.sizes import Sizes
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.confirm import CONFIRM_KEY, Confirm
from tests.install_ui_helpers import ScreenHarness, installer

VDA = "/dev/disk/by-id/virtio-DEMO-VDA-0001"
SD = "/dev/disk/by-id/ata-Test_Disk_SER-"


def test_install_needs_the_word() -> None:
    h = ScreenHarness(Confirm, installer("demo"), Choices(mode="install", disks=(VDA,), password="secret-1"))
    assert h.focused_key() == CONFIRM_KEY
    assert h.view.next.label == "Install"
    text = h.text()
    assert "These disks will be ERASED:" in text
    assert "/dev/vda  unknown model  serial DEMO-VDA-0001  64.0 GiB" in text
    assert "Volumes (volume group HostVG, 63.7 GiB):" in text
    for line in ("  Root        4.0 GiB              the node image", "  Config      128 MiB              /config",
                 "  Swap        8.0 GiB              swap", "  Data        45.6 GiB (the rest)  /data"):
        assert line in text.splitlines()
    assert "Warning: the Data volume is small (46712 MiB)" in text
    assert "1. Remove the volume groups found on the disks" in text
    assert not h.can_continue and h.reason == "type ERASE to go ahead"
    h.type(CONFIRM_KEY, "erase")
    assert not h.can_continue
    h.type(CONFIRM_KEY, "ERASE")
    assert h.can_continue


def test_reinstall_warns_of_the_volume_groups_it_removes() -> None:
    disks = (SD + "SDA", SD + "SDF", SD + "SDG", "/dev/nvme0n1")
    h = ScreenHarness(Confirm, installer("hazards"), Choices(mode="reinstall", disks=disks, sizes=Sizes(data=0)))
    assert h.screen.plan is not None
    warnings = h.screen.warnings()
    assert "the volume group oldvg on these disks will be removed with everything in it" in warnings
    assert "the volume group HostVG on these disks will be removed with everything in it" in warnings
    assert "no Data volume: virtual machines need storage elsewhere" in warnings
    assert "the node's configuration is lost" in warnings
    assert h.view.next.label == "Reinstall"


def test_impossible_plan_is_shown_with_the_engine_reason() -> None:
    h = ScreenHarness(Confirm, installer("demo"), Choices(mode="install", disks=(VDA,), sizes=Sizes(swap=90000)))
    assert h.screen.plan is None
    assert "This cannot be done:" in h.text()
    assert not h.can_continue and "too small by" in h.reason


def test_uninstall_lists_the_node_disks() -> None:
    h = ScreenHarness(Confirm, installer("hazards"), Choices(mode="uninstall"))
    assert "/dev/nvme0n1" in h.text()
    assert h.view.next.label == "Uninstall"
    assert not h.can_continue
    h.type(CONFIRM_KEY, "ERASE")
    assert h.can_continue


def test_upgrade_erases_nothing_and_needs_no_word() -> None:
    h = ScreenHarness(Confirm, installer("hazards", installed="4.4.0-1"), Choices(mode="upgrade"))
    text = h.text()
    assert "Upgrade oVirt Node 4.4.0-1 to oVirt Node 4.5.0-1" in text
    assert "ERASED" not in text and "Type ERASE" not in text
    assert h.can_continue and h.view.next.label == "Upgrade"
    assert h.focused_key() is None  # nothing to type: Continue has the focus
