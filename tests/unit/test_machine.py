from __future__ import annotations

import copy
import json
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.core.resources import DATA_ENV, package_data
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Result
from ovirt_node.system.machine import probe as machine_mod
from ovirt_node.system.machine.model import Disk, Machine, Nic, VolumeGroup
from ovirt_node.system.machine.probe import probe
from ovirt_node.system.machine.profile import ProfileError, load_profile, profile_names, profile_path

# --- shipped profiles ---------------------------------------------------------------------------


def test_shipped_profiles_are_listed() -> None:
    assert {"demo", "many-nics-many-disks"} <= set(profile_names())


def test_demo_profile() -> None:
    m = load_profile(profile_path("demo"))
    assert m.name == "demo"
    assert m.firmware == "bios"
    assert m.memory_bytes == 8 * 1024**3
    assert m.virt_hw is True
    assert [n.name for n in m.physical_nics()] == ["eth0", "eth1", "eth2"]
    eth0, eth1, eth2 = m.physical_nics()
    assert eth2.link and eth2.mac == "52:54:00:3a:5c:03"
    assert eth0.link and eth0.speed_mbps == 1000 and eth0.kind == "ethernet"
    assert not eth1.link and eth1.speed_mbps is None
    vda = m.disk("vda")
    assert vda is not None and vda.bus == "virtio" and vda.size_bytes == 64 * 1024**3
    assert not vda.is_boot_media
    sdb = m.disk("/dev/sdb")
    assert sdb is not None and sdb.is_boot_media and sdb.bus == "usb" and sdb.removable
    assert m.disk("sdz") is None
    assert m.nic("lo") is not None and m.nic("nope") is None


def test_many_profile() -> None:
    m = load_profile(profile_path("many-nics-many-disks"))
    assert m.firmware == "uefi"
    assert m.memory_bytes == 256 * 1024**3
    assert len(m.nics) >= 8 and len(m.disks) >= 6
    physical = [n.name for n in m.physical_nics()]
    assert physical == ["eno1", "eno2", "enp0s31f6", "ens1f0", "ens1f1", "ens10"]
    for hidden in ("lo", "bond0", "bond0.100", "ovirtmgmt", "virbr0", "vnet0"):
        assert m.nic(hidden) is not None
        assert hidden not in physical
    kinds = {n.name: n.kind for n in m.nics}
    assert kinds["lo"] == "loopback" and kinds["bond0"] == "bond" and kinds["bond0.100"] == "vlan"
    assert kinds["ovirtmgmt"] == "bridge" and kinds["virbr0"] == "virtual" and kinds["vnet0"] == "virtual"
    drivers = {n.driver for n in m.physical_nics()}
    assert {"e1000e", "ixgbe", "igb", "virtio_net"} <= drivers
    assert sum(1 for n in m.physical_nics() if not n.link) >= 2
    holders = {h for d in m.disks for h in d.holders}
    assert {"HostVG", "storage_domain_vg"} <= holders
    boot = [d.name for d in m.disks if d.is_boot_media]
    assert boot == ["sdc"]
    assert any(d.size_bytes == 2 * 1024**3 for d in m.disks)
    buses = {d.bus for d in m.disks}
    assert {"ata", "nvme", "usb", "scsi"} <= buses
    for disk in m.disks:
        assert disk.path == f"/dev/{disk.name}"


def test_profile_path_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert profile_path("x") == tmp_path / "machines" / "x.json"
    assert profile_names() == []
    (tmp_path / "machines").mkdir()
    shutil.copy(
        package_data() / "machines" / "demo.json", tmp_path / "machines"
    )
    assert profile_names() == ["demo"]
    assert load_profile(profile_path("demo")).name == "demo"


@pytest.mark.parametrize("name", ["", "../etc/passwd", "a/b", ".hidden"])
def test_profile_path_rejects_paths(name: str) -> None:
    with pytest.raises(ValueError):
        profile_path(name)


# --- malformed profiles -------------------------------------------------------------------------


def _demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(profile_path("demo").read_text())
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    return path


def _broken(mutate: str) -> dict[str, Any]:
    data = copy.deepcopy(_demo())
    if mutate == "missing disk size":
        del data["disks"][0]["size_bytes"]
    elif mutate == "missing nics":
        del data["nics"]
    elif mutate == "string memory":
        data["memory_bytes"] = "8G"
    elif mutate == "bool cpus":
        data["cpus"] = True
    elif mutate == "zero cpus":
        data["cpus"] = 0
    elif mutate == "firmware":
        data["firmware"] = "coreboot"
    elif mutate == "kind":
        data["nics"][1]["kind"] = "token-ring"
    elif mutate == "link int":
        data["nics"][0]["link"] = 1
    elif mutate == "mac":
        data["nics"][0]["mac"] = "52:54:00:zz:00:01"
    elif mutate == "unknown field":
        data["disks"][1]["size"] = 1
    elif mutate == "partitions":
        data["disks"][1]["partitions"] = "sdb1"
    elif mutate == "path":
        data["disks"][0]["path"] = "vda"
    elif mutate == "duplicate":
        data["nics"][1]["name"] = "eth0"
    elif mutate == "nic not object":
        data["nics"][2] = "lo"
    elif mutate == "nics not list":
        data["nics"] = {"eth0": {}}
    return data


@pytest.mark.parametrize(
    ("mutate", "field", "words"),
    [
        ("missing disk size", "disks[0].size_bytes", "missing"),
        ("missing nics", "nics", "missing"),
        ("string memory", "memory_bytes", "integer"),
        ("bool cpus", "cpus", "integer"),
        ("zero cpus", "cpus", "at least 1"),
        ("firmware", "firmware", "coreboot"),
        ("kind", "nics[1].kind", "token-ring"),
        ("link int", "nics[0].link", "true or false"),
        ("mac", "nics[0].mac", "MAC"),
        ("unknown field", "disks[1].size", "unknown field"),
        ("partitions", "disks[1].partitions", "list of strings"),
        ("path", "disks[0].path", "device path"),
        ("duplicate", "nics[1].name", "duplicate"),
        ("nic not object", "nics[2]", "object"),
        ("nics not list", "nics", "list"),
    ],
)
def test_malformed_profile(tmp_path: Path, mutate: str, field: str, words: str) -> None:
    path = _write(tmp_path, _broken(mutate))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    err = info.value
    assert err.field == field
    assert err.path == str(path)
    assert str(path) in str(err) and field in str(err) and words in str(err)


def test_profile_not_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"name": "x",\n  oops}')
    with pytest.raises(ProfileError, match=r"not JSON: .* line 2") as info:
        load_profile(path)
    assert info.value.field is None


def test_profile_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="cannot read"):
        load_profile(tmp_path / "absent.json")


def test_profile_top_level_not_object(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="expected an object"):
        load_profile(_write(tmp_path, []))


def test_comment_keys_allowed(tmp_path: Path) -> None:
    data = _demo()
    data["nics"][0]["_note"] = "cabled to the lab switch"
    assert load_profile(_write(tmp_path, data)).nic("eth0") is not None


def test_dataclasses_guard_enums() -> None:
    with pytest.raises(ValueError):
        Nic("x", "00:00:00:00:00:01", None, None, None, None, False, None, "token-ring")
    with pytest.raises(ValueError):
        Machine("m", (), (), 1, "coreboot", "cpu", 1, False)  # type: ignore[arg-type]


def test_physical_nics_natural_order() -> None:
    def nic(name: str, kind: str = "ethernet") -> Nic:
        return Nic(name, "52:54:00:00:00:01", None, None, None, None, True, None, kind)

    m = Machine(
        "m",
        (nic("eth10"), nic("eth2"), nic("lo", "loopback"), nic("wlan0", "wireless"), nic("eth0.5", "vlan")),
        (),
        1,
        "bios",
        "cpu",
        1,
        False,
    )
    assert [n.name for n in m.physical_nics()] == ["eth2", "eth10", "wlan0"]


# --- probe() on a fake tree ---------------------------------------------------------------------


def _file(root: Path, path: str, text: str) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)


def _link(root: Path, path: str, target: str) -> None:
    where = root / path.lstrip("/")
    where.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, where)


def _pci(root: Path, addr: str, driver: str, vendor: str, device: str, sub: str = "") -> str:
    """A device dir under sys/devices; returns its path relative to /sys."""
    rel = f"devices/pci0000:00/{addr}" + (f"/{sub}" if sub else "")
    base = f"/sys/{rel}"
    _file(root, f"{base}/vendor", vendor + "\n")
    _file(root, f"{base}/device", device + "\n")
    _link(root, f"{base}/driver", f"../../../bus/pci/drivers/{driver}")
    return rel


def _iface(
    root: Path,
    name: str,
    *,
    mac: str,
    ifindex: int,
    type_: int = 1,
    carrier: str | None = "1",
    operstate: str = "up",
    speed: str | None = None,
    device: str | None = None,
    uevent: str = "",
    dirs: Sequence[str] = (),
) -> None:
    base = f"/sys/class/net/{name}"
    _file(root, f"{base}/address", mac + "\n")
    _file(root, f"{base}/type", f"{type_}\n")
    _file(root, f"{base}/operstate", operstate + "\n")
    _file(root, f"{base}/ifindex", f"{ifindex}\n")
    _file(root, f"{base}/uevent", f"INTERFACE={name}\nIFINDEX={ifindex}\n{uevent}")
    if carrier is not None:
        _file(root, f"{base}/carrier", carrier + "\n")
    if speed is not None:
        _file(root, f"{base}/speed", speed + "\n")
    if device is not None:
        _link(root, f"{base}/device", f"../../../{device}")
    for sub in dirs:
        (root / base.lstrip("/") / sub).mkdir(parents=True)


LSBLK = {
    "blockdevices": [
        {
            "name": "sda",
            "path": "/dev/sda",
            "size": 500107862016,
            "type": "disk",
            "tran": "sata",
            "model": "Samsung SSD 860",
            "serial": "S3Z2NB0K812345A",
            "vendor": "ATA     ",
            "rm": False,
            "rota": False,
            "ro": False,
            "children": [
                {"name": "sda1", "type": "part"},
                {
                    "name": "sda2",
                    "type": "part",
                    "fstype": "LVM2_member",
                    "children": [
                        {"name": "HostVG-Root", "type": "lvm"},
                        {"name": "HostVG-Swap", "type": "lvm", "fstype": "swap", "mountpoint": "[SWAP]"},
                    ],
                },
            ],
        },
        {
            "name": "sdb",
            "path": "/dev/sdb",
            "size": 15631122432,
            "type": "disk",
            "tran": "usb",
            "model": "Cruzer Blade",
            "serial": "4C530001230517116284",
            "vendor": "SanDisk",
            "rm": True,
            "rota": True,
            "ro": False,
            "children": [{"name": "sdb1", "type": "part"}],
        },
        {
            "name": "sdc",
            "path": "/dev/sdc",
            "size": 107374182400,
            "type": "disk",
            "tran": "fc",
            "model": "LUN C-Mode",
            "serial": "80CjH+LaQ2Zb",
            "vendor": "NETAPP  ",
            "rm": False,
            "rota": False,
            "ro": False,
            "children": [
                {
                    "name": "mpatha",
                    "type": "mpath",
                    "children": [{"name": "storage--domain-lv--one", "type": "lvm"}],
                }
            ],
        },
        {
            "name": "nvme0n1",
            "path": "/dev/nvme0n1",
            "size": 1024209543168,
            "type": "disk",
            "tran": "nvme",
            "model": "Samsung SSD 970 PRO 1TB",
            "serial": "S462NF0M612345K",
            "vendor": None,
            "rm": False,
            "rota": False,
            "ro": False,
        },
        # Old lsblk (< 2.33) style: everything a string; no PATH column.
        {
            "name": "vda",
            "size": "68719476736",
            "type": "disk",
            "tran": None,
            "model": None,
            "serial": None,
            "vendor": "0x1af4",
            "rm": "0",
            "rota": "1",
            "ro": "1",
        },
        {"name": "sr0", "path": "/dev/sr0", "size": 1073741312, "type": "rom", "tran": "sata"},
        {"name": "loop0", "path": "/dev/loop0", "size": 1000, "type": "loop"},
        {"name": "zram0", "path": "/dev/zram0", "size": 8589934592, "type": "disk", "tran": None},
        {"name": "sdd", "path": "/dev/sdd", "size": 0, "type": "disk", "tran": "usb", "rm": True},
    ]
}


class FakeRunner:
    """lsblk answers `stdout`; vgs answers `vgs` (LVM's JSON report), or fails when None."""

    def __init__(self, stdout: str, vgs: str | None = None) -> None:
        self.stdout = stdout
        self.vgs = vgs
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, argv: Sequence[str]) -> Result:
        self.calls.append(tuple(argv))
        if argv[0] == "vgs":
            if self.vgs is None:
                raise CommandError(argv, 127, "vgs: command not found")
            return Result(tuple(argv), 0, self.vgs, "")
        return Result(tuple(argv), 0, self.stdout, "")


VGS = {"report": [{"vg": [
    {"vg_name": "HostVG", "vg_tags": "", "pv_name": "/dev/sda2"},
    {"vg_name": "storage-domain", "vg_tags": "RHAT_storage_domain,other", "pv_name": "/dev/sdc"},
    {"vg_name": "storage-domain", "vg_tags": "RHAT_storage_domain,other", "pv_name": "/dev/nvme0n1p1"},
]}]}


@pytest.fixture
def fake_root(tmp_path: Path) -> Path:
    root = tmp_path
    eth0_dev = _pci(root, "0000:00:1f.6", "e1000e", "0x8086", "0x15b7")
    eth1_dev = _pci(root, "0000:00:03.0", "virtio_net", "0x1af4", "0x0001", sub="virtio0")
    eno1_dev = _pci(root, "0000:02:00.0", "igb", "0x8086", "0x1521")
    slave_dev = _pci(root, "0000:04:00.0", "ixgbe", "0x8086", "0x10fb")
    wlan_dev = _pci(root, "0000:03:00.0", "iwlwifi", "0x8086", "0x24fd")

    _iface(root, "lo", mac="00:00:00:00:00:00", ifindex=1, type_=772, operstate="unknown")
    _iface(root, "eth0", mac="8C:16:45:6E:0A:11", ifindex=2, speed="1000", device=eth0_dev)
    _file(
        root,
        "/run/udev/data/n2",
        "I:1\nE:ID_VENDOR_FROM_DATABASE=Intel Corporation\n"
        "E:ID_MODEL_FROM_DATABASE=Ethernet Connection (2) I219-LM\n",
    )
    # Administratively down: carrier cannot be read, speed reads -1.
    _iface(
        root,
        "eth1",
        mac="52:54:00:12:34:56",
        ifindex=3,
        carrier=None,
        operstate="down",
        speed="-1",
        device=eth1_dev,
    )
    # Up but no cable.
    _iface(root, "eno1", mac="a0:36:9f:1c:22:e0", ifindex=4, carrier="0", speed="1000", device=eno1_dev)
    # Bond slave: shows the bond's MAC, the card's own is perm_hwaddr.
    _iface(root, "ens1f0", mac="90:e2:ba:00:00:99", ifindex=5, speed="10000", device=slave_dev)
    _file(root, "/sys/class/net/ens1f0/bonding_slave/perm_hwaddr", "90:e2:ba:4a:7b:10\n")
    _iface(root, "wlan0", mac="7c:5c:f8:11:22:33", ifindex=6, carrier="0", device=wlan_dev, dirs=["wireless"])
    _iface(root, "bond0", mac="90:e2:ba:00:00:99", ifindex=7, speed="10000", dirs=["bonding"])
    _iface(root, "br0", mac="90:e2:ba:00:00:99", ifindex=8, uevent="DEVTYPE=bridge\n", dirs=["bridge"])
    _iface(root, "bond0.100", mac="90:e2:ba:00:00:99", ifindex=9)
    _iface(root, "vlan200", mac="90:e2:ba:00:00:99", ifindex=10, uevent="DEVTYPE=vlan\n")
    _iface(root, "virbr0", mac="52:54:00:c2:11:90", ifindex=11, carrier="0", dirs=["bridge"])
    _iface(root, "vnet0", mac="fe:54:00:6b:7a:22", ifindex=12, speed="10")
    _file(root, "/sys/class/net/vnet0/tun_flags", "0x1002\n")
    _iface(root, "veth1a2b", mac="1e:22:33:44:55:66", ifindex=13, speed="10000")
    _file(root, "/sys/class/net/bonding_masters", "bond0\n")
    _file(
        root,
        "/proc/net/vlan/config",
        "VLAN Dev name\t | VLAN ID\nName-Type: VLAN_NAME_TYPE_RAW_PLUS_VID_NO_PAD\n"
        "bond0.100      | 100  | bond0\n",
    )

    _link(root, "/dev/disk/by-id/ata-Samsung_SSD_860_S3Z2NB0K812345A", "../../sda")
    _link(root, "/dev/disk/by-id/ata-Samsung_SSD_860_S3Z2NB0K812345A-part1", "../../sda1")
    _link(root, "/dev/disk/by-id/wwn-0x5002538e40a1b2c3", "../../sda")
    _link(root, "/dev/disk/by-id/usb-SanDisk_Cruzer_Blade_4C530001230517116284-0:0", "../../sdb")
    _link(root, "/dev/disk/by-id/lvm-pv-uuid-Xq3k1v-abcd", "../../sdc")
    _link(root, "/dev/disk/by-id/dm-name-mpatha", "../../dm-0")
    _link(root, "/dev/disk/by-id/nvme-eui.002538b981b2c3d4", "../../nvme0n1")
    _link(root, "/dev/disk/by-id/nvme-Samsung_SSD_970_PRO_1TB_S462NF0M612345K", "../../nvme0n1")
    _file(
        root,
        "/proc/mounts",
        "/dev/mapper/live-rw / ext4 rw 0 0\n/dev/sdb1 /run/initramfs/live iso9660 ro,relatime 0 0\n",
    )

    _file(root, "/proc/meminfo", "MemTotal:       16314032 kB\nMemFree:         1200000 kB\n")
    cpu = (
        "processor\t: {n}\nmodel name\t: Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz\n"
        "flags\t\t: fpu vme vmx sse\n\n"
    )
    _file(root, "/proc/cpuinfo", cpu.format(n=0) + cpu.format(n=1))
    _file(root, "/proc/sys/kernel/hostname", "node1.example.com\n")
    (root / "sys/firmware/efi").mkdir(parents=True)
    # sysfs: a partition's directory lies inside its disk's (how a PV is traced to its disk).
    for disk, part in (("sda", "sda2"), ("nvme0n1", "nvme0n1p1")):
        _file(root, f"/sys/devices/virtual/test/block/{disk}/{part}/partition", "1\n")
        _link(root, f"/sys/class/block/{part}", f"../../devices/virtual/test/block/{disk}/{part}")
    return root


def _probe(root: Path) -> tuple[Machine, FakeRunner]:
    runner = FakeRunner(json.dumps(LSBLK), json.dumps(VGS))
    return probe(Root.at(root), runner=runner), runner


def test_probe_nics(fake_root: Path) -> None:
    m, _ = _probe(fake_root)
    kinds = {n.name: n.kind for n in m.nics}
    assert kinds == {
        "lo": "loopback",
        "eth0": "ethernet",
        "eth1": "ethernet",
        "eno1": "ethernet",
        "ens1f0": "ethernet",
        "wlan0": "wireless",
        "bond0": "bond",
        "br0": "bridge",
        "bond0.100": "vlan",
        "vlan200": "vlan",
        "virbr0": "virtual",
        "vnet0": "virtual",
        "veth1a2b": "virtual",
    }
    assert [n.name for n in m.physical_nics()] == ["eno1", "ens1f0", "eth0", "eth1", "wlan0"]

    eth0 = m.nic("eth0")
    assert eth0 == Nic(
        name="eth0",
        mac="8c:16:45:6e:0a:11",
        driver="e1000e",
        bus_info="0000:00:1f.6",
        vendor="Intel Corporation",
        model="Ethernet Connection (2) I219-LM",
        link=True,
        speed_mbps=1000,
        kind="ethernet",
    )
    eth1 = m.nic("eth1")
    assert eth1 is not None
    assert (eth1.link, eth1.speed_mbps, eth1.driver) == (False, None, "virtio_net")
    # virtio: the PCI function, not the virtioN bus device
    assert eth1.bus_info == "0000:00:03.0"
    assert (eth1.vendor, eth1.model) == ("0x1af4", "0x0001")
    eno1 = m.nic("eno1")
    assert eno1 is not None and not eno1.link and eno1.speed_mbps is None and eno1.driver == "igb"
    slave = m.nic("ens1f0")
    assert slave is not None and slave.mac == "90:e2:ba:4a:7b:10" and slave.speed_mbps == 10000
    lo = m.nic("lo")
    assert lo is not None and lo.link and lo.driver is None and lo.bus_info is None
    vnet0 = m.nic("vnet0")
    assert vnet0 is not None and vnet0.driver is None and vnet0.speed_mbps == 10


def test_probe_disks(fake_root: Path) -> None:
    m, runner = _probe(fake_root)
    assert machine_mod.LSBLK_COLUMNS.endswith(",FSTYPE,MOUNTPOINT")
    assert runner.calls == [
        ("lsblk", "--json", "--bytes", "-o", machine_mod.LSBLK_COLUMNS),
        ("vgs", "--reportformat", "json", "--noheadings", "-o", "vg_name,vg_tags,pv_name"),
    ]
    assert [d.name for d in m.disks] == ["sda", "sdb", "sdc", "nvme0n1", "vda"]
    sda = m.disk("sda")
    assert sda == Disk(
        name="sda",
        path="/dev/sda",
        size_bytes=500107862016,
        bus="ata",
        model="Samsung SSD 860",
        serial="S3Z2NB0K812345A",
        vendor="ATA",
        by_id="/dev/disk/by-id/wwn-0x5002538e40a1b2c3",
        removable=False,
        rotational=False,
        readonly=False,
        transport="sata",
        partitions=("sda1", "sda2"),
        holders=("HostVG",),
        is_boot_media=False,
        mountpoints=("[SWAP]",),
        signatures=("LVM2_member", "swap"),
    )
    sdb = m.disk("sdb")
    assert sdb is not None
    assert sdb.is_boot_media and sdb.removable and sdb.rotational and sdb.bus == "usb"
    assert sdb.by_id == "/dev/disk/by-id/usb-SanDisk_Cruzer_Blade_4C530001230517116284-0:0"
    sdc = m.disk("sdc")
    assert sdc is not None
    assert sdc.bus == "scsi" and sdc.transport == "fc" and sdc.vendor == "NETAPP"
    assert sdc.holders == ("mpatha", "storage-domain")
    assert sdc.by_id is None  # lvm-pv-uuid- does not name a disk
    assert sdc.partitions == ()
    nvme = m.disk("nvme0n1")
    assert nvme is not None and nvme.bus == "nvme" and nvme.vendor is None
    assert nvme.by_id == "/dev/disk/by-id/nvme-Samsung_SSD_970_PRO_1TB_S462NF0M612345K"
    vda = m.disk("vda")
    assert vda is not None
    assert (vda.path, vda.size_bytes, vda.bus, vda.transport) == ("/dev/vda", 68719476736, "virtio", None)
    assert (vda.removable, vda.rotational, vda.readonly) == (False, True, True)
    assert m.volume_groups == (VolumeGroup("HostVG", (), ("sda",)),
                               VolumeGroup("storage-domain", ("RHAT_storage_domain", "other"), ("sdc", "nvme0n1")))


def test_probe_without_lvm_finds_no_volume_groups(fake_root: Path) -> None:
    m = probe(Root.at(fake_root), runner=FakeRunner(json.dumps(LSBLK), vgs=None))
    assert m.volume_groups == () and len(m.disks) == 5


def test_probe_memory_cpu_firmware(fake_root: Path) -> None:
    m, _ = _probe(fake_root)
    assert m.name == "node1.example.com"
    assert m.memory_bytes == 16314032 * 1024
    assert m.firmware == "uefi"
    assert m.cpu_model == "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz"
    assert m.cpus == 2
    assert m.virt_hw is True


def test_probe_bios_no_vmx_and_empty_tree(tmp_path: Path) -> None:
    _file(tmp_path, "/proc/cpuinfo", "processor\t: 0\nmodel name\t: Old CPU\nflags\t\t: fpu sse\n")
    m = probe(Root.at(tmp_path), runner=FakeRunner('{"blockdevices": []}'))
    assert m.firmware == "bios"
    assert m.virt_hw is False
    assert m.nics == () and m.disks == ()
    assert m.memory_bytes == 0
    assert m.name == "localhost"


def test_probe_boot_media_from_dev_live(tmp_path: Path) -> None:
    _link(tmp_path, "/dev/live", "sdb1")
    m = probe(Root.at(tmp_path), runner=FakeRunner(json.dumps(LSBLK)))
    assert [d.name for d in m.disks if d.is_boot_media] == ["sdb"]


def test_lvm_vg_names() -> None:
    assert machine_mod._lvm_vg("HostVG-Root") == "HostVG"
    assert machine_mod._lvm_vg("my--vg-lv--one") == "my-vg"
    assert machine_mod._lvm_vg("plain") == "plain"


def test_probe_real_host() -> None:
    if shutil.which("lsblk") is None:
        pytest.skip("lsblk is not installed")
    m = probe(Root())
    assert isinstance(m, Machine)
    assert m.memory_bytes > 0
    assert m.cpus >= 1
    assert "lo" not in [n.name for n in m.physical_nics()]
    lo = m.nic("lo")
    if lo is not None:
        assert lo.kind == "loopback"
