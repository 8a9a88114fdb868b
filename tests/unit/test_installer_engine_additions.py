"""What the installer screens added to the engine: each disk's own refusals, a persisted file
read from an installed node's Config volume, and settings handed to an install's plan."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.installer.installed import persisted_file
from ovirt_node.installer.plan import autoinstall, flows
from ovirt_node.installer.plan.disks import own_refusals
from ovirt_node.installer.plan.layout import Layout, StableNames
from ovirt_node.system.machine.profile import load_profile, profile_path
from tests.install_ui_helpers import installer


def test_own_refusals_leave_out_rules_of_the_whole_selection() -> None:
    machine = load_profile(profile_path("hazards"))
    by_name = {d.name: d for d in machine.disks}
    assert own_refusals(machine, by_name["sda"]) == []
    assert own_refusals(machine, by_name["sdb"]) == [
        "/dev/sdb (/dev/disk/by-id/ata-Test_Disk_SER-SDB): it has mounted filesystems (/mnt/backup); "
        "unmount them first"]
    assert own_refusals(machine, by_name["sdf"]) == []  # oldvg spans sdf and sdg: the selection decides
    assert "storage domain" in own_refusals(machine, by_name["sde"])[0]
    assert own_refusals(machine, by_name["sdd"], wipe_fakeraid=True) == []


class CopyDevices(StableNames):
    """A Config volume that is a directory: 'mounting' copies it, unmounting removes the copy."""

    def __init__(self, volume: Path) -> None:
        self.volume_dir = volume
        self.calls: list[str] = []

    def activate(self, ctx: Context) -> None:
        self.calls.append("activate")

    def mount(self, ctx: Context, device: str, directory: Path, options: str = "") -> None:
        self.calls.append(f"mount {device} {options}")
        shutil.copytree(self.volume_dir, directory)

    def unmount_all(self, ctx: Context, top: Path) -> None:
        self.calls.append("unmount")
        shutil.rmtree(top, ignore_errors=True)

    def partitions_changed(self, ctx: Context) -> None: ...
    def volume_commands(self, layout: Layout) -> list[list[str]]: return []
    def create_volumes(self, ctx: Context, layout: Layout) -> None: ...
    def remove_volume_groups(self, ctx: Context, groups: Sequence[str]) -> None: ...
    def grub_skip_reason(self) -> str | None: return None


def test_persisted_file_is_read_from_the_config_volume(tmp_path: Path) -> None:
    volume = tmp_path / "config-volume"
    (volume / "etc").mkdir(parents=True)
    (volume / "etc/shadow").write_text("admin:$6$x$y:1::::::\n")
    inst = installer("hazards")
    devices = CopyDevices(volume)
    inst.session.devices = devices
    inst.session.target = type(inst.session.target)(tmp_path / "work")
    assert persisted_file(inst.session, "/etc/shadow") == b"admin:$6$x$y:1::::::\n"
    assert devices.calls == ["activate", "mount /dev/HostVG/Config ro", "unmount"]
    assert not (tmp_path / "work/inspect-config").exists()
    assert persisted_file(inst.session, "/etc/passwd") is None  # not persisted


def test_build_hands_settings_to_the_install() -> None:
    inst = installer("demo")
    args = cmdline.parse("install")
    plan = autoinstall.build(inst.session, inst.machine, args, inst.image, autoinstall.read_request(args),
                             None, {"security.admin_password": "s3cret-pw"})
    lines = inst.plan_lines(plan)
    assert any("Apply the node's settings (install, security.admin_password)" in line for line in lines)
    assert "s3cret-pw" not in "\n".join(lines)


def test_upgrade_with_settings_applies_them_to_the_persisted_config_before_the_switch() -> None:
    inst = installer("hazards", installed="4.4.0-1")
    assert inst.installed is not None and inst.image is not None
    plain = [s.title for s in flows.upgrade(inst.session, inst.installed, inst.image).steps]
    steps = [s.title for s in flows.upgrade(inst.session, inst.installed, inst.image,
                                            {"security.admin_password": "n3w-secret"}).steps]
    added = ["Unpack the node's /etc, os-release and keymaps from the image", "Mount Config",
             "Put the node's persisted files in place", "Apply the node's settings"]
    switch = plain.index("Try the new slot at the next boot")  # the switch stays last-but-two
    assert steps == plain[:switch] + added + plain[switch:]
    assert not any(t in plain for t in added)
