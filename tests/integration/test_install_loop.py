"""The installer's executor on loop devices: each test runs a scenario of install_loop.py in its
own private mount namespace and asserts on what it found on the disk afterwards (the GPT as
sgdisk reads it, the filesystems as blkid sees them, the ESP's files as mtools reads them out
of the FAT, grub.cfg through grub-script-check, the Config volume's files).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from ovirt_node import __version__
from ovirt_node.core.run import run

pytestmark = pytest.mark.root

HELPER = Path(__file__).with_name("install_loop.py")
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    if os.geteuid() != 0 or not os.path.exists("/dev/loop-control"):
        pytest.skip("needs root and loop devices")
    return tmp_path / "install"


def scenario(name: str, workdir: Path) -> dict[str, Any]:
    workdir.mkdir(parents=True)
    proc = run(["unshare", "-m", "--propagation", "private", "--", sys.executable, str(HELPER), name, str(workdir)],
               check=False, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300)
    result = workdir / "result.json"
    assert proc.returncode == 0 and result.exists(), proc.stderr
    data: dict[str, Any] = json.loads(result.read_text())
    assert "exception" not in data, data["exception"] + data.get("log", "")[-4000:]
    leaked = run(["losetup", "--list", "--noheadings", "-O", "BACK-FILE"], check=False).stdout
    assert str(workdir) not in leaked, "loop devices leaked"
    return data


def test_install_lays_out_a_bootable_disk(workdir: Path) -> None:
    r = scenario("install", workdir)
    # GPT: BIOS boot, ESP, one LVM partition; filesystems with their labels.
    assert r["gpt"] == ["EF02 BIOSBOOT", "EF00 EFI", "8E00 HostVG"]
    assert r["esp_label"] == "EFI" and r["esp"]["fsck"] == 0
    assert (r["slot"]["label"], r["backup_label"], r["swap_type"]) == ("Root", "RootBackup", "swap")
    # The image on the Root slot, every file hashing to the SHA256SUMS written beside it.
    assert r["slot"]["files"] == ["LiveOS/squashfs.img", "SHA256SUMS", "initrd.img", "version", "vmlinuz"]
    assert r["slot"]["intact"] and "VERSION=4.0.1" in r["slot"]["version"]
    # One grub.cfg (valid for grub's own parser) booting the slot with the carried arguments only.
    cfg = r["esp"]["grub_cfg"]
    assert r["esp"]["grub_check"] == 0
    assert "menuentry 'oVirt Node 4.0.1-1' --id 'slot-Root'" in cfg and "BACKUP" not in cfg
    assert "'root=live:/dev/mapper/HostVG-Root' 'rd.lvm.lv=HostVG/Root'" in cfg
    assert "'console=ttyS0,115200'" in cfg
    for installer_only in ("adminpw", "BOOTIF", "storage_init", "ssh_pwauth", "$6$", "ip=", "hostname="):
        assert installer_only not in cfg
    assert r["esp"]["grubenv"] == ["saved_entry=slot-Root"]
    # Config volume: the mounts, the settings from the kernel arguments and the live network.
    config = r["config"]
    assert config["label"] == "CONFIG"
    # The image's own distribution decides the paths (Debian's chrony.conf, not EL's).
    assert config["index"] == ["/etc/NetworkManager/system-connections", "/etc/chrony/chrony.conf",
                               "/etc/default/ovirt", "/etc/fstab", "/etc/hostname", "/etc/hosts", "/etc/shadow",
                               "/etc/ssh/sshd_config", "/etc/vconsole.conf"]
    assert "ntp1.example.com" in config["chrony"] and "2.debian.pool.ntp.org" not in config["chrony"]
    # BOOTIF=link resolved against the machine's NICs (the first with a link), ip=dhcp on it.
    assert "interface-name=eth0" in config["eth0"] and "[ipv4]\nmethod=auto" in config["eth0"]
    assert config["hostname"] == "node1.example.com\n"
    assert config["vconsole"] == "KEYMAP=de-latin1\n"  # checked against the image's keymaps
    assert "/dev/mapper/HostVG-Logging\t/var/log\text4" in config["fstab"]
    assert "/dev/mapper/HostVG-Swap\tswap\tswap" in config["fstab"]
    assert "/boot/efi\tvfat" in config["fstab"] and "proc /proc proc" in config["fstab"]
    assert "Data" not in config["fstab"]  # data=0: no Data volume
    # adminpw= set with its hash and expired (forced change at the first login), never logged.
    assert config["shadow_admin"].startswith(f"admin:{r['admin_hash']}:0:")
    assert r["admin_hash"] not in r["log"]
    assert config["sshd"] == "PasswordAuthentication yes\n"
    assert config["keyfile_mode"] == "0o600" and config["install_log"]
    # Every area's keys in the settings file, not the first area's alone (the areas after it
    # were lost: Augeas saved the file it had created once only), report_url= among them, so
    # the node's first boot knows where to report; the install's own event waits for it there.
    for line in ('OVIRT_HOSTNAME="node1.example.com"', 'OVIRT_BOOTIF="eth0"', 'OVIRT_SSH_PWAUTH="yes"',
                 'OVIRT_NTP="ntp1.example.com"', 'OVIRT_KEYBOARD_LAYOUT="de-latin1"',
                 f'OVIRT_REPORT_URL="{r["report_url"]}"'):
        assert line in config["defaults"].splitlines(), config["defaults"]
    assert config["report_url"] == r["report_url"]
    assert [(e["phase"], e["result"], e["version"]) for e in config["spool"]] == [("install", "succeeded", __version__)]
    # Progress: every step reported, the copy with percentages, grub-install skipped with the reason.
    assert any("Copy the image onto the slot: running (LiveOS/squashfs.img:" in e for e in r["events"])
    assert any("Install grub for BIOS and the UEFI boot entry: skipped" in e for e in r["events"])
    assert any("Install the signed UEFI loaders (shim, grub): skipped" in e for e in r["events"])
    assert r["events"][-1].endswith("Unmount the node's filesystems: done")
    assert r["hooks"] == "post-install 4.0.1-1 10-record\n"
    assert r["mounts"] == []


def test_upgrade_writes_the_other_slot_and_rollback_switches_back(workdir: Path) -> None:
    r = scenario("upgrade_rollback", workdir)
    up = r["upgraded"]
    assert up["node"].startswith("InstalledNode(") and "lv='Root'" in up["node"]
    assert up["backup_slot"]["intact"] and "VERSION=4.0.2" in up["backup_slot"]["version"]
    cfg = up["esp"]["grub_cfg"]
    # A trial of the new slot: the old one stays the default until the node commits it.
    assert up["esp"]["grubenv"] == ["saved_entry=slot-Root", "next_entry=slot-RootBackup", "trial_left=1"]
    assert "menuentry 'oVirt Node 4.0.2-1' --id 'slot-RootBackup'" in cfg
    assert "menuentry 'BACKUP oVirt Node 4.0.1-1' --id 'slot-Root'" in cfg
    assert "'console=ttyS0'" in cfg  # the installed node's arguments carried into the new menu
    assert up["config_same"], "the upgrade changed the Config volume"
    assert "lv='Root'" in up["after"].split("backup=")[0] and "trial='slot-RootBackup'" in up["after"]
    assert r["refused"].startswith("a trial boot of RootBackup is pending")
    assert r["committed"]["esp"]["grubenv"] == ["saved_entry=slot-RootBackup", "next_entry=", "trial_left=0"]
    assert "lv='RootBackup'" in r["committed"]["after"].split("backup=")[0]
    rolled = r["rolled_back"]
    assert rolled["esp"]["grubenv"] == ["saved_entry=slot-RootBackup", "next_entry=slot-Root", "trial_left=1"]
    assert "menuentry 'oVirt Node 4.0.1-1' --id 'slot-Root'" in rolled["esp"]["grub_cfg"]
    assert "menuentry 'BACKUP oVirt Node 4.0.2-1'" in rolled["esp"]["grub_cfg"]
    assert rolled["esp"]["grub_check"] == 0
    # A trial grub already booted that never decided (power lost) blocks nothing: a new upgrade
    # writes the idle slot again and tries it.
    assert "trial=None" in r["after_power_loss"]
    assert r["upgraded_again"]["grubenv"] == ["saved_entry=slot-RootBackup", "next_entry=slot-Root", "trial_left=1"]
    assert r["hooks"].splitlines() == ["post-install 4.0.1-1 10-record", "pre-upgrade 4.0.2-1 10-record",
                                       "post-upgrade 4.0.2-1 10-record", "rollback 4.0.1-1 10-record",
                                       "pre-upgrade 4.0.2-1 10-record", "post-upgrade 4.0.2-1 10-record"]
    assert r["mounts"] == []


def test_failed_upgrade_keeps_booting_the_old_image(workdir: Path) -> None:
    r = scenario("failed_upgrade", workdir)
    assert "Copy the image onto the slot failed" in r["error"] and "checksum mismatch" in r["error"]
    assert r["esp_same"], "grub.cfg or grubenv changed by a failed upgrade"
    assert "lv='Root'" in r["after"].split("backup=")[0]
    # The pre-upgrade hook ran; the failure ran the rollback hooks; post-upgrade never ran.
    assert r["hooks"].splitlines()[1:] == ["pre-upgrade 4.0.2-1 10-record", "rollback 4.0.2-1 10-record"]
    assert r["mounts"] == []


def test_reinstall_wipes_the_old_node(workdir: Path) -> None:
    r = scenario("reinstall", workdir)
    assert r["gpt"] == ["EF02 BIOSBOOT", "EF00 EFI", "8E00 HostVG"]
    assert "VERSION=4.1.0" in r["slot"]["version"] and r["slot"]["intact"]
    assert "BACKUP" not in r["esp"]["grub_cfg"] and r["esp"]["grubenv"] == ["saved_entry=slot-Root"]
    assert r["mounts"] == []


def test_uninstall_leaves_a_blank_disk(workdir: Path) -> None:
    r = scenario("uninstall", workdir)
    assert "Creating new GPT entries" in r["gpt"] or "does not exist" in r["gpt"], r["gpt"]
    assert r["signatures"] == "" and r["volumes"] == []
    assert r["events"][-1].endswith("Wipe the disks' signatures and partition tables: done")


def test_image_from_a_file_or_a_device_is_verified_and_unmounted(workdir: Path) -> None:
    r = scenario("media", workdir)
    assert r["file"] == r["device"] == "oVirt Node 4.0.1-1" and r["file_mounted"]
    assert "not a node image, missing vmlinuz" in r["broken"]
    assert r["left_mounted"] == []
