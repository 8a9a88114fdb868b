"""The engine additions of the installer screens on loop devices (root, private mount
namespace; see install_ui_loop.py): the upgrade screen reads the installed node's persisted
shadow from its Config volume, and an upgrade with a new admin password changes the node's
persisted shadow (nothing else) before it switches the boot entry."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.core.run import run

pytestmark = pytest.mark.root

HELPER = Path(__file__).with_name("install_ui_loop.py")
REPO = Path(__file__).resolve().parents[2]


def test_upgrade_sets_a_new_admin_password_in_the_persisted_config(tmp_path: Path) -> None:
    if os.geteuid() != 0 or not os.path.exists("/dev/loop-control"):
        pytest.skip("needs root and loop devices")
    workdir = tmp_path / "install"
    workdir.mkdir()
    proc = run(["unshare", "-m", "--propagation", "private", "--", sys.executable, str(HELPER),
                "upgrade_new_password", str(workdir)], check=False, env=dict(os.environ, PYTHONPATH=str(REPO)),
               timeout=300)
    assert proc.returncode == 0, proc.stderr
    r: dict[str, Any] = json.loads((workdir / "result.json").read_text())
    assert "exception" not in r, r["exception"] + r.get("log", "")[-4000:]
    assert r["read_back_is_old"] and r["old_matches"]  # what the upgrade screen checks against
    assert r["new_matches"], r["events"]
    assert r["must_change"] != "0"  # typed at the console: final, not a first-login password
    assert r["root_kept"] and r["fstab_same"] and r["index_same"]
    assert "4.0.2" in r["booted"] and r["mounts"] == []
    assert any("Put the node's persisted files in place: done" in e for e in r["events"])
