"""Installer planning: sizes, storage_vol=, disk selection, safety refusals, the layout and
its commands, and `ovirt-node-installer --dry-run`. Pure planning: nothing here touches a disk."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.core import cmdline
from ovirt_node.installer.plan import disks
from ovirt_node.installer.plan.layout import LayoutError, partition_device, plan
from ovirt_node.installer.plan.request import from_kernel_args
from ovirt_node.installer.plan.sizes import (
    MIN_DATA,
    SizeError,
    Sizes,
    apply_storage_vol,
    parse_storage_vol,
    swap_size,
)
from ovirt_node.system.machine.model import Disk, Machine
from ovirt_node.system.machine.profile import load_profile, profile_path

GIB = 1024**3


@pytest.fixture(scope="module")
def hazards() -> Machine:
    return load_profile(profile_path("hazards"))


@pytest.fixture(scope="module")
def demo() -> Machine:
    return load_profile(profile_path("demo"))


def _disk(machine: Machine, name: str) -> Disk:
    disk = machine.disk(name)
    assert disk is not None
    return disk


# -- sizes -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ram_gib", "overcommit", "expected_mib"), [
    (2, 0.5, 2048 + 1024),
    (3.99, 0.5, 2048 + 2042),
    (4, 0.5, 4096 + 2048),
    (15, 0.0, 4096),
    (16, 0.5, 8192 + 8192),
    (63, 1.0, 8192 + 64512),
    (64, 0.5, 16384 + 32768),
    (256, 0.25, 16384 + 65536),
])
def test_swap_formula_of_3x(ram_gib: float, overcommit: float, expected_mib: int) -> None:
    assert swap_size(int(ram_gib * GIB), overcommit) == expected_mib


def test_storage_vol_named_and_positional_forms() -> None:
    assert parse_storage_vol("8192,Root:2048,Logging:-1,Data") == {"Root": 8192, "Logging": 2048, "Data": -1}
    assert parse_storage_vol("256,EFI:0,Swap") == {"EFI": 256, "Swap": 0}
    assert parse_storage_vol(":2048:8192::4096:-1") == {"Swap": 2048, "Root": 8192, "Logging": 4096, "Data": -1}
    assert parse_storage_vol("512:1024:4096:256:2048:20480:0:0") == {
        "Boot": 512, "Swap": 1024, "Root": 4096, "Config": 256, "Logging": 2048, "Data": 20480, "Swap2": 0, "Data2": 0}
    sizes = apply_storage_vol(Sizes(), parse_storage_vol(":2048:8192::4096:0"))
    assert (sizes.swap, sizes.root, sizes.config, sizes.logging, sizes.data) == (2048, 8192, 128, 4096, 0)


def test_storage_vol_3x_size_name_form_with_empty_fields() -> None:
    assert parse_storage_vol(":4096,Swap::256,Config") == {"Swap": 4096, "Config": 256}
    sizes = from_kernel_args(cmdline.parse("storage_vol=:4096,Swap::256,Config")).sizes
    assert (sizes.swap, sizes.config, sizes.root) == (4096, 256, Sizes().root)
    # A field without a name keeps its place in BOOT:SWAP:ROOT:...
    assert parse_storage_vol(":2048:8192,Data") == {"Swap": 2048, "Data": 8192}


@pytest.mark.parametrize(("value", "message"), [
    ("100,Root:20,Bogus", "unknown volume 'Bogus'"),
    (":4096,Swap::256,Cfg", "unknown volume 'Cfg' in '256,Cfg'"),
    (":4096:2048,Swap", "Swap is given twice"),
    (",Swap", "the size of Swap is not a whole number of MiB: ''"),
    ("big,Root", "the size of Root is not a whole number of MiB: 'big'"),
    ("1,Root:2,Root", "Root is given twice"),
    ("1:2:3:4:5:6:7:8:9", "at most 8 positional sizes"),
    (":x", "the size of Swap is not a whole number"),
])
def test_storage_vol_malformed(value: str, message: str) -> None:
    with pytest.raises(SizeError, match=message):
        parse_storage_vol(value)


def test_sizes_below_minimums_are_named() -> None:
    problems = Sizes(root=512, config=8, data=4096, swap=2).problems()
    assert problems == [
        "Root must be at least 1024 MiB (asked for 512)",
        "Config must be at least 64 MiB (asked for 8)",
        "Swap must be 0 or at least 5 MiB (asked for 2)",
        f"Data must be -1 (fill), 0 (none) or at least {MIN_DATA} MiB (asked for 4096)",
    ]


# -- disk selection ----------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "names"), [
    (None, ["nvme0n1"]),  # the first by name (natural order), fixed disks before removable ones
    ("", ["nvme0n1"]),
    ("/dev/sdf,/dev/sdg", ["sdf", "sdg"]),
    ("/dev/disk/by-id/ata-Test_Disk_SER-SDA", ["sda"]),
    ("serial:SER-SDI", ["sdi"]),
    ("scsi", ["sde"]),
    ("ata:SER-SDF", ["sdf"]),
    ("ata:TEST_Test_Disk_SER-SDG", ["sdg"]),  # udev ID_SERIAL form
    ("nvme:ALL", ["nvme0n1"]),
    ("largest", ["nvme0n1"]),
    ("smallest", ["sdi"]),
    ("sda, /dev/sda ,largest", ["sda", "nvme0n1"]),  # bare bus word `sda` is not a bus: see below
])
def test_storage_init_forms(hazards: Machine, spec: str | None, names: list[str]) -> None:
    if spec and spec.startswith("sda,"):
        with pytest.raises(disks.DiskSelectionError, match="no disk matches 'sda'"):
            disks.select(hazards, spec)
        spec = "/dev/sda,/dev/sda,largest"
    assert [d.name for d in disks.select(hazards, spec)] == names


@pytest.mark.parametrize("spec", ["usb:Generic_STORAGE_DEVICE_0000145418-0:0", "usb:Generic_STORAGE_DEVICE_0000145418",
                                  "usb:0000145418"])
def test_storage_init_usb_id_serial_form_of_3x(demo: Machine, spec: str) -> None:
    """3.x documents `usb:Generic_STORAGE_DEVICE_0000145418-0:0`: udev's ID_SERIAL with its -0:0."""
    stick = _disk(demo, "vda")._replace(name="sdc", path="/dev/sdc", bus="usb", transport="usb",
                                        vendor="Generic", model="STORAGE DEVICE", serial="0000145418", removable=True,
                                        by_id="/dev/disk/by-id/usb-Generic_STORAGE_DEVICE_0000145418-0:0")
    machine = demo._replace(disks=(*demo.disks, stick))
    assert [d.name for d in disks.select(machine, spec)] == ["sdc"]
    with pytest.raises(disks.DiskSelectionError, match="no disk matches 'usb:Generic_STORAGE_DEVICE_0000145419-0:0'"):
        disks.select(machine, "usb:Generic_STORAGE_DEVICE_0000145419-0:0")


def test_storage_init_that_only_names_the_boot_media(demo: Machine) -> None:
    with pytest.raises(disks.DiskSelectionError, match=r"'usb': it matches only /dev/sdb \(/dev/disk/by-id/usb-"):
        disks.select(demo, "usb")
    with pytest.raises(disks.DiskSelectionError, match="a second volume group"):
        disks.select(demo, "/dev/vda;/dev/vdb")


@pytest.mark.parametrize(("names", "wipe", "reason"), [
    (["sdb"], False, "sdb (/dev/disk/by-id/ata-Test_Disk_SER-SDB): it has mounted filesystems (/mnt/backup)"),
    (["sdc"], False, "sdc (/dev/disk/by-id/ata-Test_Disk_SER-SDC): it holds active swap"),
    (["sdd"], False, "it carries firmware RAID metadata (isw_raid_member); add wipe_fakeraid to erase it"),
    (["sde"], False, "/dev/sde (/dev/disk/by-id/scsi-Test_Disk_SER-SDE): part of volume group domain-vg, "
                     "a storage domain (RHAT_storage_domain); it is never wiped"),
    (["sdf"], False, "volume group oldvg also spans sdg, which is not selected"),
    (["sdh"], False, "/dev/sdh (/dev/disk/by-id/usb-Test_Disk_SER-SDH): it holds the boot media"),
    (["sdj"], False, "/dev/sdj (/dev/disk/by-id/ata-Test_Disk_SER-SDJ): it is read-only"),
])
def test_each_unsafe_disk_is_refused_by_name(hazards: Machine, names: list[str], wipe: bool, reason: str) -> None:
    found = disks.refusals(hazards, [_disk(hazards, n) for n in names], wipe)
    assert len(found) == 1 and reason in found[0], found


def test_safe_selections(hazards: Machine) -> None:
    assert disks.refusals(hazards, [_disk(hazards, "sda")]) == []
    assert disks.refusals(hazards, [_disk(hazards, "sdd")], wipe_fakeraid=True) == []
    assert disks.refusals(hazards, [_disk(hazards, "sdf"), _disk(hazards, "sdg")]) == []
    assert disks.refusals(hazards, [_disk(hazards, "nvme0n1")]) == []  # a reinstall over our own HostVG


# -- layout ------------------------------------------------------------------------------------

def test_one_disk_layout_boots_bios_and_uefi(demo: Machine) -> None:
    for firmware in ("bios", "uefi"):
        machine = demo._replace(firmware=firmware)
        layout = plan(machine, disks.select(machine, None), Sizes())
        by_id = "/dev/disk/by-id/virtio-DEMO-VDA-0001"
        assert [(p.device, p.size_mib, p.type_code) for p in layout.partitions] == [
            (f"{by_id}-part1", 1, "EF02"), (f"{by_id}-part2", 256, "EF00"), (f"{by_id}-part3", 65277, "8E00")]
        # 64 GiB disk: 65536 - 2 (GPT) - 257 = 65277 MiB partition; minus a 4 MiB extent of PV metadata.
        assert layout.vg_size_mib == 65272
        sizes = {v.name: v.size_mib for v in layout.volumes}
        swap = 4096 + 4096  # 8 GiB RAM: base 4 GiB + 0.5 x 8 GiB
        assert sizes == {"Root": 4096, "RootBackup": 4096, "Config": 128, "Logging": 2048, "Swap": swap,
                         "Data": 65272 - 4096 * 2 - 128 - 2048 - swap}
        assert layout.volume("Data").fill and layout.volume("Logging").mount == "/var/log"
        commands = [" ".join(c) for c in layout.commands()]
        assert commands[:3] == [
            f"wipefs --all --force {by_id}", f"sgdisk --zap-all {by_id}",
            f"sgdisk -n 1:0:+1M -t 1:EF02 -c 1:BIOSBOOT -n 2:0:+256M -t 2:EF00 -c 2:EFI "
            f"-n 3:0:0 -t 3:8E00 -c 3:HostVG {by_id}"]
        assert f"mkfs.vfat -F 32 -n EFI {by_id}-part2" in commands
        assert "lvcreate --yes --wipesignatures y --name Data --extents 100%FREE HostVG" == commands[-8]
        assert commands[-1] == "mkfs.ext4 -q -F -L DATA /dev/HostVG/Data"


def test_three_disks_one_volume_group(hazards: Machine) -> None:
    chosen = disks.select(hazards, "/dev/sda,/dev/sdf,/dev/sdg")
    layout = plan(hazards, chosen, Sizes(swap=0, data=MIN_DATA))
    assert [p.device for p in layout.partitions if p.type_code == "8E00"] == [
        "/dev/disk/by-id/ata-Test_Disk_SER-SDA-part3", "/dev/disk/by-id/ata-Test_Disk_SER-SDF-part1",
        "/dev/disk/by-id/ata-Test_Disk_SER-SDG-part1"]
    assert "Swap" not in {v.name for v in layout.volumes} and layout.volume("Data").size_mib == MIN_DATA
    commands = [" ".join(c) for c in layout.commands()]
    # oldvg lives on sdf+sdg: taken down before anything is wiped; sda's old partitions wiped first.
    assert commands[:4] == ["vgchange --activate n oldvg", "vgremove --force --force --yes oldvg",
                            "wipefs --all --force /dev/disk/by-id/ata-Test_Disk_SER-SDA-part1",
                            "wipefs --all --force /dev/disk/by-id/ata-Test_Disk_SER-SDA-part2"]
    assert ("vgcreate --yes HostVG /dev/disk/by-id/ata-Test_Disk_SER-SDA-part3 "
            "/dev/disk/by-id/ata-Test_Disk_SER-SDF-part1 /dev/disk/by-id/ata-Test_Disk_SER-SDG-part1") in commands


def test_disk_without_by_id_uses_kernel_partition_names(hazards: Machine) -> None:
    nvme = _disk(hazards, "nvme0n1")
    assert partition_device(nvme, 3) == "/dev/nvme0n1p3"
    layout = plan(hazards, [nvme], Sizes())
    assert layout.physical_volumes == ["/dev/nvme0n1p3"]
    assert layout.commands()[:2] == [["vgchange", "--activate", "n", "HostVG"],
                                     ["vgremove", "--force", "--force", "--yes", "HostVG"]]


def test_too_small_disks_say_by_how_much(hazards: Machine) -> None:
    small = _disk(hazards, "sdi")  # 8 GiB
    with pytest.raises(LayoutError) as caught:
        plan(hazards, [small], Sizes(swap=1024))
    # 8192 - 2 - 257 = 7933 MiB partition -> 7928 usable; needs 4096*2 + 128 + 2048 + 1024 + 10240 (Data minimum)
    assert str(caught.value) == (
        "the selected disks are too small by 13704 MiB: HostVG would hold 7928 MiB, the layout needs 21632 MiB "
        "(Root 4096, RootBackup 4096, Config 128, Logging 2048, Swap 1024, Data at least 10240 MiB)")
    with pytest.raises(LayoutError, match="too small by 3464 MiB: HostVG would hold 7928 MiB, the layout needs 11392"):
        plan(hazards, [small], Sizes(swap=1024, data=0))
    with pytest.raises(LayoutError, match="Root must be at least 1024 MiB"):
        plan(hazards, [_disk(hazards, "sda")], Sizes(root=100))


def test_kernel_arguments_make_the_request() -> None:
    request = from_kernel_args(cmdline.parse("storage_init=serial:X storage_vol=:0:8192 mem_overcommit=1.5 "
                                             "wipe_fakeraid"))
    assert request.disks == "serial:X" and request.wipe_fakeraid
    assert (request.sizes.swap, request.sizes.root, request.sizes.overcommit) == (0, 8192, 1.5)
    assert from_kernel_args(cmdline.parse("storage_init")).disks is None  # no value: the first disk
    assert not from_kernel_args(cmdline.parse("wipe_fakeraid=0")).wipe_fakeraid
    with pytest.raises(SizeError, match="mem_overcommit: not a number: 'lots'"):
        from_kernel_args(cmdline.parse("mem_overcommit=lots"))
    with pytest.raises(SizeError, match="unknown volume 'Home'"):
        from_kernel_args(cmdline.parse("ovirt_vol=100,Home"))  # the 3.x alias reaches the same parser


# -- the dry-run command -----------------------------------------------------------------------

def _dry_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", "--dry-run", *args],
                          capture_output=True, text=True, timeout=60)


def test_dry_run_prints_the_plan_for_kernel_arguments() -> None:
    result = _dry_run("--machine", "hazards", "--cmdline",
                      "reinstall storage_init=ata:SER-SDA,/dev/nvme0n1 storage_vol=:2048::::20480 "
                      "console=ttyS0 quiet")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Install oVirt Node (version not read) on hazards (UEFI firmware, 32 GiB memory)" in out
    # The old HostVG on the NVMe disk goes first; grub for BIOS, Debian's signed shim and grub for
    # UEFI with a boot entry on shim; the default last.
    assert out.index("vgremove --force --force --yes HostVG") < out.index("sgdisk --zap-all")
    assert "--target=i386-pc" in out and "--target=x86_64-efi" not in out
    assert "Install the signed UEFI loaders (shim, grub): EFI/debian/shimx64.efi and EFI/BOOT/BOOTX64.EFI" in out
    assert "efibootmgr --create" in out and "--loader '\\EFI\\debian\\shimx64.efi'" in out
    steps = [line.strip() for line in out.splitlines() if line.strip().startswith("(")]
    assert "Make the disk boot the new node" in steps[-2] and "Unmount" in steps[-1]
    assert "/dev/sda (/dev/disk/by-id/ata-Test_Disk_SER-SDA)  500.0 GiB  ata  (boot disk)" in out
    assert "  Swap        2048 MiB" in out and "  Data        20480 MiB" in out
    assert "  sgdisk --zap-all /dev/disk/by-id/ata-Test_Disk_SER-SDA" in out
    assert "  lvcreate --yes --wipesignatures y --name Data --size 20480m HostVG" in out
    # The node's whole kernel line: the slot, what the node keeps of the installer's, crash memory.
    assert ("Write the boot menu (oVirt Node (version not read) on Root); kernel command line: "
            "root=live:/dev/mapper/HostVG-Root rd.lvm.lv=HostVG/Root rd.live.image ro console=ttyS0 quiet "
            "crashkernel=1G-4G:256M,4G-64G:384M,64G-:512M\n") in out


@pytest.mark.parametrize(("args", "message"), [
    ("storage_init=/dev/sdb", "refusing to install:\n  /dev/sdb (/dev/disk/by-id/ata-Test_Disk_SER-SDB): it has "
                              "mounted filesystems"),
    ("storage_init=/dev/sdi,/dev/nvme0n1 storage_vol=:::::2000000", "too small by"),
    ("storage_init=serial:NOPE", "storage_init: no disk matches 'serial:NOPE'"),
    ("storage_vol=1,Root", "Root must be at least 1024 MiB"),
    ("storage_init=ata:SER-SDA", "the installed node's HostVG is also on nvme0n1, which is not selected"),
    ("uninstall", "conflicting modes on the command line: reinstall, uninstall"),
    ("node.break=later", "node.break=later: expected one of pre-installer, post-installer, pre-reboot"),
    ("reboot_delay=soon", "reboot_delay=soon: expected a number of seconds"),
])
def test_dry_run_refuses_with_exit_2(args: str, message: str) -> None:
    result = _dry_run("--machine", "hazards", "--cmdline", f"reinstall {args}")
    assert result.returncode == 2 and message in result.stderr and result.stdout == ""


def test_dry_run_needs_a_mode_when_a_node_is_installed() -> None:
    result = _dry_run("--machine", "hazards", "--cmdline", "storage_init=ata:SER-SDA")
    assert result.returncode == 2 and "say upgrade, reinstall or uninstall" in result.stderr
    fresh = _dry_run("--machine", "hazards", "--cmdline", "install storage_init=ata:SER-SDA")
    assert fresh.returncode == 2 and "a node is installed (HostVG exists); use upgrade or reinstall" in fresh.stderr


def test_dry_run_plans_upgrade_and_uninstall() -> None:
    upgrade = _dry_run("--machine", "hazards", "--cmdline", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "mkfs.ext4 -q -F -L RootBackup /dev/HostVG/RootBackup" in upgrade.stdout
    assert "set saved_entry=slot-Root next_entry=slot-RootBackup trial_left=1" in upgrade.stdout
    assert "sgdisk" not in upgrade.stdout
    assert ("kernel command line: the kernel arguments of the menu on the disk, with a crashkernel= if it has "
            "none") in upgrade.stdout
    uninstall = _dry_run("--machine", "hazards", "--cmdline", "uninstall")
    assert uninstall.returncode == 0, uninstall.stderr
    assert "vgremove --force --force --yes HostVG" in uninstall.stdout
    assert "sgdisk --zap-all /dev/nvme0n1" in uninstall.stdout and "sda" not in uninstall.stdout
    assert "Remove the node's UEFI boot entries" in uninstall.stdout


def test_a_real_run_refuses_a_machine_profile() -> None:
    result = subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", "--machine", "hazards"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "--machine plans only" in result.stderr


def test_a_refused_real_run_ends_saying_nothing_changed_and_where_the_log_is(tmp_path: Path) -> None:
    """The console shows the reason, then one closing line; the log keeps the refusal."""
    log_file = tmp_path / "logs" / "installer.log"
    result = subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", "--cmdline", "install storage_init",
                             "--image", str(tmp_path / "missing.iso"), "--log", str(log_file)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.splitlines()  # the log's lines are on stderr too, as on the console
    assert f"ovirt-node-installer: {tmp_path / 'missing.iso'}: No such file or directory" in lines
    assert lines[-1] == f"Nothing was changed. The log is kept at {log_file}."
    assert sum("missing.iso" in line for line in lines) == 1  # said once on the console
    assert "refused:" in log_file.read_text() and "missing.iso" in log_file.read_text()


# efibootmgr 17 prints the label alone; 18 (and -v) adds the device path after a tab. An
# inactive entry has no "*". Entries of other systems, and labels that only start alike, stay.
EFIBOOTMGR_17 = """BootCurrent: 0004
Timeout: 0 seconds
BootOrder: 0004,0000,0001,0003
Boot0000* UiApp
Boot0001* UEFI QEMU DVD-ROM QM00003
Boot0003  oVirt Node
Boot0004* oVirt Node
Boot0005* oVirt Node backup
"""
EFIBOOTMGR_18 = """BootCurrent: 0002
Timeout: 0 seconds
BootOrder: 0002,0000
Boot0000* UiApp\tFvVol(7cb8bdc9-f8eb-4f34-aaea-3ee4af6516a1)/FvFile(462caa21-7614-4503-836e-8ab6f4662331)
Boot0002* oVirt Node\tHD(1,GPT,3f2a1c55-0000-4000-8000-000000000001,0x800,0x100000)/File(\\EFI\\ovirt-node\\grubx64.efi)
Boot000A* debian\tHD(1,GPT,aa,0x800,0x100000)/File(\\EFI\\debian\\shimx64.efi)
"""


@pytest.mark.parametrize(("listing", "expected"), [(EFIBOOTMGR_17, ["0003", "0004"]), (EFIBOOTMGR_18, ["0002"])])
def test_uninstall_finds_only_the_nodes_uefi_entries(listing: str, expected: list[str]) -> None:
    from ovirt_node.installer.plan.flows import boot_entries_named

    assert boot_entries_named(listing, "oVirt Node") == expected
