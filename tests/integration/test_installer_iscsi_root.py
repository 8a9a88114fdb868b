"""`iscsi_install` (issue 23): the installer's plan for a root on an iSCSI LUN, and every bad
argument refused with the reason before anything is touched. The login itself needs the
kernel's iSCSI initiator, which this host lacks: tests/vm/test_iscsi_root.py does it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ovirt_node.cli.installer import main
from tests.node_fixtures import DEMO_ROOT

TARGET = "iqn.2026-12.org.example:node-root"
INITIATOR = "iqn.2026-12.org.example:node1"
LUN_PATH = f"/dev/disk/by-path/ip-192.0.2.10:3260-iscsi-{TARGET}-lun-1"
GOOD = f"iscsi_install iscsi_server=192.0.2.10 iscsi_target_name={TARGET} iscsi_name={INITIATOR}"


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    """The demo machine, plus the LUN as a dry run names it (by its udev path)."""
    profile = json.loads((Path(__file__).parents[2] / "ovirt_node/data/machines/demo.json").read_text())
    lun = {**profile["disks"][0], "name": "sdz", "path": LUN_PATH, "bus": "scsi", "serial": "LUN1",
           "by_id": None, "transport": "iscsi", "size_bytes": 32 * 1024**3, "vendor": "IET"}
    profile["disks"].append(lun)
    path = tmp_path / "iscsi-machine.json"
    path.write_text(json.dumps(profile))
    return path


def plan(capsys: pytest.CaptureFixture[str], machine: Path, line: str) -> tuple[int, str, str]:
    code = main(["--dry-run", "--machine", str(machine), "--root", str(DEMO_ROOT), "--image", "/nonexistent.iso",
                 "--cmdline", line])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_plan_lays_out_the_lun_and_boots_the_node_from_it(capsys: pytest.CaptureFixture[str],
                                                               machine: Path) -> None:
    code, out, err = plan(capsys, machine, GOOD + " console=ttyS0")
    assert (code, err) == (0, ""), err
    assert f"sgdisk -n 1:0:+1M -t 1:EF02 -c 1:BIOSBOOT -n 2:0:+256M -t 2:EF00 -c 2:EFI -n 3:0:0 -t 3:8E00 " \
           f"-c 3:HostVG {LUN_PATH}" in out
    assert f"sgdisk --zap-all {LUN_PATH}" in out and "sgdisk --zap-all /dev/vda" not in out
    # The node's kernel line: the initramfs logs in again with these; the installer's own go.
    boot_line = next(line for line in out.splitlines() if "kernel command line:" in line)
    assert f"netroot=iscsi:192.0.2.10::3260:1:{TARGET} rd.iscsi.initiator={INITIATOR} rd.iscsi.bootif=<MAC>" \
        in boot_line
    for installer_only in ("iscsi_install", "iscsi_server=", "iscsi_target_name=", "storage_init="):
        assert installer_only not in boot_line


@pytest.mark.parametrize(("line", "message"), [
    ("iscsi_install", "iscsi_install needs iscsi_server=ADDRESS[:PORT]"),
    (f"iscsi_install iscsi_server=storage.example.com iscsi_target_name={TARGET} iscsi_name={INITIATOR}",
     "iscsi_server=storage.example.com: the address must be"),
    (f"iscsi_install iscsi_server=192.0.2.10:99999 iscsi_target_name={TARGET} iscsi_name={INITIATOR}",
     "iscsi_server=192.0.2.10:99999: the port must be"),
    (f"iscsi_install iscsi_server=192.0.2.10 iscsi_name={INITIATOR}", "iscsi_target_name=: needed with iscsi_install"),
    (f"iscsi_install iscsi_server=192.0.2.10 iscsi_target_name=storage iscsi_name={INITIATOR}",
     "iscsi_target_name=storage: must be an iSCSI name"),
    (f"iscsi_install iscsi_server=192.0.2.10 iscsi_target_name={TARGET} iscsi_name=node1",
     "iscsi_name=node1: must be an iSCSI name"),
    (GOOD + " iscsi_init=lun2", "iscsi_init=lun2: must be the LUN's number"),
])
def test_bad_iscsi_arguments_are_refused_before_anything(capsys: pytest.CaptureFixture[str], machine: Path,
                                                         line: str, message: str) -> None:
    code, out, err = plan(capsys, machine, line)
    assert (code, out) == (2, "")
    assert message in err, err


def test_a_refused_iscsi_install_touches_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    log = tmp_path / "installer.log"
    code = main(["--root", str(DEMO_ROOT), "--image", "/nonexistent.iso", "--log", str(log),
                 "--cmdline", "iscsi_install iscsi_server=192.0.2.10"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "iscsi_target_name=: needed with iscsi_install" in err and "Nothing was changed" in err


def test_the_nic_brought_up_for_the_portal_is_the_one_bootif_names(tmp_path: Path) -> None:
    from ovirt_node.core.root import Root
    from ovirt_node.installer.iscsi_root import boot_nic

    for index, (name, carrier) in enumerate((("eth0", "0"), ("eth1", "1"), ("eth2", "1"))):
        nic = tmp_path / "sys/class/net" / name
        (nic / "device").mkdir(parents=True)
        (nic / "address").write_text(f"52:54:00:00:00:0{index + 1}\n")
        (nic / "carrier").write_text(carrier + "\n")
    (tmp_path / "sys/class/net/lo").mkdir()  # no device: never picked
    live = Root.at(tmp_path)
    assert boot_nic(None, live) == "eth1"  # the first with a link
    assert boot_nic("link", live) == "eth1"
    assert boot_nic("eth2", live) == "eth2"
    assert boot_nic("52:54:00:00:00:03", live) == "eth2"
    assert boot_nic("01-52-54-00-00-00-01", live) == "eth0"  # PXE's form, even without a link
    assert boot_nic("eth9", live) is None
