"""Boot device and Data devices: every disk listed, unsafe ones disabled with the engine's
reason, the focused disk's details, "Other device" paths, and the whole-selection rules."""

from __future__ import annotations

from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.disks import BOOT_KEY, DATA_KEY, OTHER_KEY, BootDevice, DataDevices
from tests.install_ui_helpers import ScreenHarness, installer

BY_ID = "/dev/disk/by-id/ata-Test_Disk_SER-"


def test_boot_device_lists_unsafe_disks_disabled_with_reasons() -> None:
    h = ScreenHarness(BootDevice, installer("hazards"), Choices(mode="reinstall"))
    assert h.focused_key() == BOOT_KEY
    rows = h.rows(BOOT_KEY)
    assert rows[BY_ID + "SDA"] == (True, "")
    assert rows[BY_ID + "SDB"] == (False, "it has mounted filesystems (/mnt/backup); unmount them first")
    assert rows[BY_ID + "SDC"] == (False, "it holds active swap; run swapoff first")
    assert "firmware RAID" in rows[BY_ID + "SDD"][1]
    assert "storage domain" in rows["/dev/disk/by-id/scsi-Test_Disk_SER-SDE"][1]
    text = h.text()
    # The reason on lines of its own, under the cells: no column is wrapped by it.
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "--- sdb" in line)
    assert lines[at].rstrip(" \u2588\u2502\u25b2\u25bc").endswith("--- sdb     ata  Test Disk SER-SDB     500.0 GiB")
    assert lines[at + 1].strip().startswith("(it has mounted filesystems (/mnt/backup); unmount them")
    # the first usable disk is chosen, and its details are shown
    assert h.view.values[BOOT_KEY] == BY_ID + "SDA"
    assert "by-id: /dev/disk/by-id/ata-Test_Disk_SER-SDA" in text
    assert h.can_continue
    assert h.press_continue() == Choices(mode="reinstall", disks=(BY_ID + "SDA",))


def test_boot_media_is_listed_disabled() -> None:
    h = ScreenHarness(BootDevice, installer("demo"))
    rows = h.rows(BOOT_KEY)
    boot_media = [v for v, (enabled, reason) in rows.items() if "boot media" in reason]
    assert boot_media and not rows[boot_media[0]][0]


def test_other_device_path_is_checked_by_the_same_rules() -> None:
    h = ScreenHarness(BootDevice, installer("hazards"), Choices(mode="reinstall"))
    h.type(OTHER_KEY, "/dev/sdb")
    assert not h.can_continue
    assert "mounted filesystems" in h.reason
    h.type(OTHER_KEY, "/dev/sdz")
    assert h.reason == "no disk /dev/sdz on this machine"
    h.type(OTHER_KEY, "/dev/sdj")
    assert h.reason == "/dev/sdj (/dev/disk/by-id/ata-Test_Disk_SER-SDJ): it is read-only"
    h.type(OTHER_KEY, "/dev/sda")  # a usable disk by its kernel name: stored by its by-id path
    assert h.can_continue
    assert h.press_continue() == Choices(mode="reinstall", disks=(BY_ID + "SDA",))


def test_data_devices_default_to_the_boot_disk_and_keep_it() -> None:
    boot, nvme = BY_ID + "SDA", "/dev/nvme0n1"
    h = ScreenHarness(DataDevices, installer("hazards"), Choices(mode="reinstall", disks=(boot,)))
    assert h.focused_key() == DATA_KEY
    assert h.view.values[DATA_KEY] == boot
    h.choose(DATA_KEY, nvme)  # the installed node's disk must go too (next test)
    assert h.can_continue
    h.choose(DATA_KEY, boot)  # unticking the boot disk
    assert not h.can_continue and "always part of HostVG" in h.reason
    h.choose(DATA_KEY, boot)
    h.choose(DATA_KEY, BY_ID + "SDF")  # half of oldvg
    assert not h.can_continue and "oldvg also spans sdg" in h.reason
    h.choose(DATA_KEY, BY_ID + "SDG")
    assert h.can_continue
    assert h.press_continue() == Choices(mode="reinstall", disks=(boot, BY_ID + "SDF", BY_ID + "SDG", nvme))


def test_data_devices_need_every_disk_of_the_installed_node() -> None:
    # HostVG lives on nvme0n1: a reinstall onto sda alone would leave half a volume group behind.
    h = ScreenHarness(DataDevices, installer("hazards"), Choices(mode="reinstall", disks=(BY_ID + "SDA",)))
    assert h.view.values[DATA_KEY] == BY_ID + "SDA"
    assert "HostVG is also on nvme0n1" in h.reason
