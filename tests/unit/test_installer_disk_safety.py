"""Nothing lost: the installer never plans to touch a disk it must refuse — multipath paths
(the LUN is offered once, as its /dev/mapper device), disks held by something it did not
create, storage domains, mounts, swap, RAID metadata, read-only disks and the boot media."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovirt_node.core.root import Root
from ovirt_node.installer.plan import disks
from ovirt_node.installer.plan.layout import VG_NAME, plan
from ovirt_node.installer.plan.sizes import Sizes
from ovirt_node.system.machine.model import Disk, Machine, VolumeGroup
from ovirt_node.system.machine.probe import probe
from ovirt_node.system.machine.profile import load_profile, profile_path
from tests.install_ui_helpers import ScreenHarness, installer
from tests.unit.test_machine import LSBLK, VGS, FakeRunner, fake_root  # noqa: F401  (a fixture)

LUN = "3600a098038303053453f463045727a4f"
MAPPER = f"/dev/mapper/{LUN}"
GIB = 1024**3


def _many() -> Machine:
    return load_profile(profile_path("many-nics-many-disks"))


def _disk(machine: Machine, name: str) -> Disk:
    found = machine.disk(name)
    assert found is not None
    return found


# -- multipath: one LUN, offered once ------------------------------------------------------------

def test_multipath_lun_is_offered_once_as_its_mapper_device() -> None:
    machine = _many()
    names = [d.path for d in disks.shown(machine)]
    assert MAPPER in names and "/dev/sdd" not in names and "/dev/sde" not in names
    assert names.count(MAPPER) == 1
    assert [d.path for d in disks.candidates(machine)].count(MAPPER) == 1


def test_both_paths_named_select_the_lun_once() -> None:
    machine = _many()
    chosen = disks.select(machine, "/dev/sda,/dev/sdd,/dev/sde")
    assert [d.path for d in chosen] == ["/dev/sda", MAPPER]
    assert disks.refusals(machine, chosen) == []
    layout = plan(machine, chosen, Sizes())
    commands = [" ".join(c) for c in layout.commands()]
    assert not [c for c in commands if "/dev/sdd" in c or "/dev/sde" in c]
    assert f"wipefs --all --force {MAPPER}" in commands and f"sgdisk --zap-all {MAPPER}" in commands
    # The LUN's 100 GiB count once in the volume group.
    assert sum(d.size_bytes for d in layout.disks) == _disk(machine, "sda").size_bytes + 100 * GIB


def test_a_multipath_path_given_directly_is_refused_with_the_device_to_choose() -> None:
    machine = _many()
    found = disks.refusals(machine, [_disk(machine, "sdd")])
    assert found == [f"/dev/sdd (serial 80CjH+LaQ2Zb): it is one path of multipath device {MAPPER}; "
                     "choose that device instead"]


def test_foreign_holder_is_refused_with_its_name() -> None:
    machine = _many()
    found = disks.refusals(machine, [_disk(machine, "sdb")])
    assert found == ["/dev/sdb (/dev/disk/by-id/wwn-0x5000c500a1b2c3d4): it is in use by storage_domain_vg, "
                     "which this installer did not create; it is never wiped (remove it first)"]
    assert disks.own_refusals(machine, _disk(machine, "sda")) == []  # HostVG is our own


def test_dry_run_refuses_the_storage_domain_disk_and_writes_no_command() -> None:
    result = subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", "--dry-run", "--machine",
                             "many-nics-many-disks", "--cmdline", "reinstall storage_init=/dev/sda,/dev/sdb"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "it is in use by storage_domain_vg, which this installer did not create" in result.stderr
    assert "wipefs" not in result.stdout and "sgdisk" not in result.stdout


def test_disk_table_shows_the_lun_once_and_the_held_disk_disabled() -> None:
    from ovirt_node.installer.screens.choices import Choices
    from ovirt_node.installer.screens.disks import BOOT_KEY, OTHER_KEY, BootDevice
    h = ScreenHarness(BootDevice, installer("many-nics-many-disks"), Choices(mode="reinstall"))
    rows = h.rows(BOOT_KEY)
    assert MAPPER in rows and rows[MAPPER] == (True, "")
    assert not any(k in ("/dev/sdd", "/dev/sde") for k in rows)
    assert rows["/dev/disk/by-id/wwn-0x5000c500a1b2c3d4"] == (
        False, "it is in use by storage_domain_vg, which this installer did not create; it is never wiped "
               "(remove it first)")
    h.type(OTHER_KEY, "/dev/sde")
    assert not h.can_continue and f"one path of multipath device {MAPPER}" in h.reason


def test_probe_marks_multipath_paths_and_foreign_holders(fake_root: Path) -> None:  # noqa: F811
    tree = copy.deepcopy(LSBLK)
    nvme = next(d for d in tree["blockdevices"] if d["name"] == "nvme0n1")
    nvme["children"] = [{"name": "luks-4711", "type": "crypt"}]
    machine = probe(Root.at(fake_root), runner=FakeRunner(json.dumps(tree), json.dumps(VGS)))
    assert _disk(machine, "sdc").multipath == "mpatha"
    mapper = next(d for d in disks.shown(machine) if d.name == "mpatha")
    assert mapper.path == "/dev/mapper/mpatha" and "/dev/sdc" not in [d.path for d in disks.shown(machine)]
    assert any("storage domain" in r for r in disks.refusals(machine, [mapper]))
    assert disks.own_refusals(machine, _disk(machine, "nvme0n1"))[0] == (
        "/dev/nvme0n1 (/dev/disk/by-id/nvme-Samsung_SSD_970_PRO_1TB_S462NF0M612345K): it is in use by "
        "luks-4711, which this installer did not create; it is never wiped (remove it first)")


# -- the property: no plan touches a disk it must not -------------------------------------------

HAZARDS = ("clean", "mounted", "swap", "fakeraid", "readonly", "boot", "foreign", "domain", "hostvg", "oldvg",
           "multipath")


@st.composite
def machines(draw: st.DrawFn) -> tuple[Machine, dict[str, str]]:
    kinds = draw(st.lists(st.sampled_from(HAZARDS), min_size=1, max_size=8))
    made: list[Disk] = []
    hazard: dict[str, str] = {}
    vgs: dict[str, tuple[tuple[str, ...], list[str]]] = {}
    for i, kind in enumerate(kinds):
        name = f"sd{chr(ord('a') + i)}"
        extra: dict[str, object] = {}
        if kind == "mounted":
            extra["mountpoints"] = ("/srv",)
        elif kind == "swap":
            extra["mountpoints"] = ("[SWAP]",)
        elif kind == "fakeraid":
            extra["signatures"] = ("ddf_raid_member",)
        elif kind == "readonly":
            extra["readonly"] = True
        elif kind == "boot":
            extra["is_boot_media"] = True
        elif kind == "foreign":
            extra["holders"] = (draw(st.sampled_from(["md127", "luks-1", "unknown_vg", "storage_domain_vg"])),)
        elif kind in ("domain", "hostvg", "oldvg"):
            vg = {"domain": "sdvg", "hostvg": VG_NAME, "oldvg": "oldvg"}[kind]
            tags = ("RHAT_storage_domain",) if kind == "domain" else ()
            vgs.setdefault(vg, (tags, []))[1].append(name)
            extra["holders"] = (vg,)
        elif kind == "multipath":
            extra["holders"] = ("mpatha",)
            extra["multipath"] = "mpatha"
        made.append(Disk(name=name, path=f"/dev/{name}", size_bytes=200 * GIB, bus="scsi", model="M",
                         serial=f"S{i}", vendor=None, by_id=None, removable=False, rotational=False,
                         readonly=bool(extra.pop("readonly", False)), transport=None, **extra))  # type: ignore[arg-type]
        hazard[name] = kind
    machine = Machine("prop", (), tuple(made), 8 * GIB, "uefi", "cpu", 4, True,
                      tuple(VolumeGroup(n, t, tuple(d)) for n, (t, d) in vgs.items()))
    return machine, hazard


def _forbidden(kind: str, wipe_fakeraid: bool) -> bool:
    return kind in ("mounted", "swap", "readonly", "boot", "foreign", "domain", "multipath") or (
        kind == "fakeraid" and not wipe_fakeraid)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(machines(), st.data(), st.booleans())
def test_no_plan_touches_a_disk_it_must_not(built: tuple[Machine, dict[str, str]], data: st.DataObject,
                                            wipe_fakeraid: bool) -> None:
    machine, hazard = built
    # What a user can pick: the offered disks, or any raw disk by its path (the "Other" field).
    pool = [*disks.shown(machine), *machine.disks]
    chosen = list(dict.fromkeys(data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4))))
    reasons = disks.refusals(machine, chosen, wipe_fakeraid)
    bad = [d for d in chosen if d.name in hazard and _forbidden(hazard[d.name], wipe_fakeraid)]
    # The multipath device stands for its paths: no hazard of its own here, so it is allowed.
    for disk in bad:
        assert any(r.startswith(disks.describe(disk)) or disk.path in r for r in reasons), (disk, reasons)
    if reasons:
        return
    assert not bad
    layout = plan(machine, chosen, Sizes(swap=0))
    words = [w for c in layout.commands() for w in c]
    for disk in machine.disks:
        touched = [w for w in words if w == disk.path or w.startswith(disk.path)]
        if hazard[disk.name] == "multipath" or _forbidden(hazard[disk.name], wipe_fakeraid):
            assert not touched, (disk.name, hazard[disk.name], touched)
    # A storage domain's volume group is never taken down.
    assert not [c for c in layout.commands() if "sdvg" in c]
