"""`ovirt-node-config reset` on a copy of the demo root with a real /config volume: each test
runs one scenario of reset_scenarios.py in its own mount namespace (see test_persist.py)."""

from __future__ import annotations

import json
import os
import sys
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.core.run import run
from tests.node_fixtures import changed_paths, run_config, snapshot

pytestmark = pytest.mark.root

HELPER = Path(__file__).with_name("reset_scenarios.py")
REPO = Path(__file__).resolve().parents[2]


def scenario(name: str, tmp_path: Path) -> dict[str, Any]:
    workdir = tmp_path / name
    proc = run(["unshare", "-m", "--propagation", "private", "--", sys.executable, str(HELPER), name, str(workdir)],
               check=False, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data: dict[str, Any] = json.loads((workdir / "result.json").read_text())
    assert data.get("configured", {"set": {"rc": 0}})["set"]["rc"] == 0
    return data


def test_reset_leaves_only_the_kept_paths_changed(tmp_path: Path) -> None:
    data = scenario("reset", tmp_path)
    assert len(data["changed_by_set"]) >= 12  # the configuration did change many files
    assert "/etc/motd\n" in data["index_configured"]
    out = json.loads(data["reset"]["out"])
    assert data["reset"]["rc"] == 0 and out["ok"] is True
    assert "/etc/NetworkManager/system-connections/eth0.nmconnection" in out["kept"]
    # Before configuring vs after the reset: only SSH access (kept) differs, and in the
    # settings file only its variable.
    assert data["differs"] == ["etc/default/ovirt", "etc/ssh/sshd_config"]
    assert data["defaults"].endswith('DEMO_NODE="yes"\nOVIRT_SSH_PORT="2200"\n')
    assert "OVIRT_NTP" not in data["defaults"] and "weekly" not in data["defaults"]
    # Every persisted file but the kept ones is gone from /config, with its bind mount.
    # The installer's persisted connections folder goes; the management keyfile in it stays
    # persisted on its own, and so does the installer's fstab; the storage keyfile is gone.
    assert data["index"] == ("/etc/NetworkManager/system-connections/eth0.nmconnection\n/etc/default/ovirt\n"
                             "/etc/fstab\n/etc/ssh/sshd_config\n")
    assert data["mounts"] == ["/etc/NetworkManager/system-connections/eth0.nmconnection", "/etc/default/ovirt",
                              "/etc/fstab", "/etc/ssh/sshd_config"]
    assert data["motd"] is False


def test_a_failure_part_way_rolls_back_byte_for_byte(tmp_path: Path) -> None:
    data = scenario("rollback", tmp_path)
    assert data["chattr"] == 0
    assert data["reset"]["rc"] == 3
    assert "Drop /etc/vconsole.conf from /config failed" in data["reset"]["err"]
    assert "all changes were rolled back" in data["reset"]["err"]
    assert data["root_changed"] == [] and data["config_changed"] == []
    assert data["mounts_after"] == data["mounts_before"] and len(data["mounts_before"]) >= 10


def test_without_the_word_nothing_is_written(tmp_path: Path) -> None:
    data = scenario("refused", tmp_path)
    for run_ in (data["refused"], data["empty"]):
        assert run_["rc"] == 2
        assert "RESET was not typed. Nothing was changed." in run_["err"]
    assert data["root_changed"] == [] and data["config_changed"] == []


def test_a_tree_without_an_image_is_refused_and_a_dry_run_writes_nothing(node_root: Path) -> None:
    run_config("--root", str(node_root), "set", "nfsv4.domain=example.org", check=True)
    before = snapshot(node_root)
    dry = run_config("--root", str(node_root), "reset", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "Reset to the image's: /etc/default/ovirt, /etc/idmapd.conf" in dry.stdout
    assert "Kept: /etc/NetworkManager/conf.d/90-ovirt-node-dns.conf, " \
           "/etc/NetworkManager/system-connections/eth0.nmconnection" in dry.stdout
    assert changed_paths(before, snapshot(node_root)) == set()

    # Not a node (no image under the overlay) nor the demo: nothing to reset to.
    defaults = node_root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text().replace('DEMO_NODE="yes"\n', ""))
    before = snapshot(node_root)
    refused = run_config("--root", str(node_root), "reset", "--yes")
    assert refused.returncode == 2
    assert f"no image to reset to: /run/initramfs/squashfs is missing under {node_root}" in refused.stderr
    assert "nothing was changed" in refused.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


#: Settings of many areas the node image has what they need for (its keymaps differ from the demo's).
IMAGE_CHANGES = ["ssh.port=2200", "logging.rsyslog.server=192.0.2.5", "nfsv4.domain=example.org",
                 "monitoring.collectd.server=192.0.2.6", "performance.tuned.profile=balanced", "kdump.mode=disabled",
                 "network.ntp=192.0.2.9", "iscsi.initiator_name=iqn.2026-01.org.example:n1"]


def tree_of(top: Path) -> dict[str, str]:
    found = {}
    for path in sorted(top.rglob("*")):
        if path.is_symlink():
            found[str(path.relative_to(top))] = "link " + os.readlink(path)
        elif path.is_file():
            found[str(path.relative_to(top))] = f"file {path.stat().st_mode:o} " + sha256(path.read_bytes()).hexdigest()
    return found


def test_on_the_node_images_own_tree_only_the_kept_files_differ_from_the_image(
        node_image_root: Path, tmp_path: Path) -> None:
    """The node's /etc (and the unit and profile folders its settings read) configured, then
    reset against the image itself mounted where the initramfs mounts it: /etc is the image's
    again but for SSH access (kept) and the settings file holding it."""
    root = tmp_path / "node"
    (root / "run/initramfs/squashfs").mkdir(parents=True)
    run(["cp", "-a", str(node_image_root / "etc"), str(root)])
    for folder in ("usr/lib/os-release", "usr/lib/tuned", "usr/lib/systemd/system", "usr/share/keymaps"):
        if (node_image_root / folder).exists():
            (root / folder).parent.mkdir(parents=True, exist_ok=True)
            run(["cp", "-a", str(node_image_root / folder), str(root / folder)])
    config = f"{sys.executable} -m ovirt_node.cli.config --root {root}"
    script = (f"mount --bind {node_image_root} {root}/run/initramfs/squashfs && "
              f"{config} set {' '.join(IMAGE_CHANGES)} >/dev/null && {config} reset --keep-network --yes --json")
    done = run(["unshare", "-m", "--propagation", "private", "sh", "-c", script], check=False,
               env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert "/etc/chrony/chrony.conf" in result["reset"] and "/etc/rsyslog.d/ovirt-node-remote.conf" in result["removed"]
    image, node = tree_of(node_image_root / "etc"), tree_of(root / "etc")
    assert sorted(k for k in image.keys() | node.keys() if image.get(k) != node.get(k)) == [
        "default/ovirt", "ssh/sshd_config"]
    assert (root / "etc/default/ovirt").read_text().splitlines()[-1] == 'OVIRT_SSH_PORT="2200"'
