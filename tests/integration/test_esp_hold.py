"""The ESP is mounted only while something reads or writes it (core/esp.py): the boot
console's read, and a transaction whose step writes the boot menu (`Step.needs_mounted`),
each mount it from the installer's `noauto` fstab line and unmount it after, applied or
rolled back; a mount that was there before stays. Real mounts of a filesystem image, in a
private mount namespace (esp_hold_scenarios.py)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from ovirt_node.core.run import run
from tests.integration.esp_hold_scenarios import GRUB_CFG

HELPER = Path(__file__).with_name("esp_hold_scenarios.py")
REPO = Path(__file__).resolve().parents[2]


def scenario(name: str, work: Path) -> dict[str, Any]:
    missing = [tool for tool in ("unshare", "mount", "mkfs.ext4", "losetup") if shutil.which(tool) is None]
    assert os.geteuid() == 0 and not missing, f"needs root and {missing} (make deps installs them)"
    proc = run(["unshare", "-m", "--propagation", "private", "--", sys.executable, str(HELPER), name, str(work)],
               check=False, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, Any] = json.loads((work / "result.json").read_text())
    return result


def has_new_console(menu: str) -> bool:
    return "console=ttyS0,115200n8" in menu and "console=tty0" not in menu


def test_a_read_and_a_change_each_mount_the_esp_only_while_they_need_it(tmp_path: Path) -> None:
    result = scenario("applied", tmp_path)
    assert result["read"] == GRUB_CFG and result["mounted while read"] is True
    assert result["mounted after read"] is False
    assert result["outcome"] == "applied" and has_new_console(result["menu"])
    assert result["mounted after the change"] is False


def test_a_rolled_back_change_restores_the_menu_on_the_esp_then_unmounts_it(tmp_path: Path) -> None:
    result = scenario("rolled-back", tmp_path)
    assert "disk on fire" in result["outcome"] and "rolled back" in result["outcome"]
    assert result["menu"] == GRUB_CFG  # restored on the ESP itself, not under an empty mount point
    assert result["mounted after the change"] is False


def test_an_esp_mounted_before_stays_mounted(tmp_path: Path) -> None:
    result = scenario("admin-mounted", tmp_path)
    assert result["admin mount kept by a read"] is True
    assert result["outcome"] == "applied" and has_new_console(result["menu"])
    assert result["mounted after the change"] is True


def test_a_mount_left_by_a_killed_run_is_unmounted_by_the_next_and_a_live_runs_is_left_alone(tmp_path: Path) -> None:
    result = scenario("killed", tmp_path)
    assert result["mounted after a read beside a live run"] is True  # the live run still needs it
    assert result["mounted after the run was killed"] is True  # SIGKILL: nothing unmounted it
    assert result["read after the kill"] == GRUB_CFG
    assert result["mounted after the next read"] is False
