"""`--json` of the installer's and the upgrade's `--dry-run`: the plan as the one JSON shape
of `ovirt-node-config --json` (every step "planned", its commands in "detail"); a refusal is
that object with "error" set and exit 2; --json without --dry-run is refused (nothing runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.cli.installer import main
from tests.integration.test_installer_answers import INSTALL
from tests.node_fixtures import DEMO_ROOT, REPO

CMDLINE = "reinstall storage_init=ata:SER-SDA,/dev/nvme0n1 storage_vol=:2048::::20480 console=ttyS0"


def installer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=120)


def test_the_plan_as_json_has_the_text_plans_steps_and_commands() -> None:
    text = installer("--dry-run", "--machine", "hazards", "--cmdline", CMDLINE)
    done = installer("--dry-run", "--json", "--machine", "hazards", "--cmdline", CMDLINE)
    assert done.returncode == 0 and text.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["changed"] is True and plan["error"] is None and plan["diff"] == {} and plan["warnings"] == []
    titles = [step["title"] for step in plan["steps"]]
    assert titles == [line.strip() for line in text.stdout.splitlines() if line.startswith("  (")]
    assert all(step["state"] == "planned" for step in plan["steps"])
    commands = "\n".join(step["detail"] for step in plan["steps"])
    assert "vgremove --force --force --yes HostVG" in commands and "efibootmgr --create" in commands
    assert "lvcreate --yes --wipesignatures y --name Data --size 20480m HostVG" in commands


def test_a_refusal_as_json() -> None:
    done = installer("--dry-run", "--json", "--machine", "hazards", "--cmdline", "reinstall storage_init=/dev/sdb")
    assert done.returncode == 2
    refusal = json.loads(done.stdout)
    assert refusal["changed"] is False and refusal["steps"] == []
    assert "/dev/sdb (/dev/disk/by-id/ata-Test_Disk_SER-SDB): it has mounted filesystems" in refusal["error"]


def test_answers_file_dry_run_as_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    answers = tmp_path / "answers.toml"
    answers.write_text(INSTALL)
    code = main(["--dry-run", "--json", "--machine", "demo", "--root", str(DEMO_ROOT), "--image", "/nonexistent.iso",
                 "--answers", str(answers)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    plan = json.loads(out)
    assert any("security.admin_password" in step["title"] for step in plan["steps"])
    assert "answered-secret" not in out
    answers.write_text("mode = 'explode'\n")
    code = main(["--dry-run", "--json", "--machine", "demo", "--root", str(DEMO_ROOT), "--image", "/nonexistent.iso",
                 "--answers", str(answers)])
    out, _err = capsys.readouterr()
    assert code == 2 and "mode: must be one of install" in json.loads(out)["error"]


@pytest.mark.parametrize("module", ["installer", "upgrade"])
def test_json_needs_dry_run(module: str, tmp_path: Path) -> None:
    log = tmp_path / "installer.log"
    args = ["--cmdline", "install", "--log", str(log)] if module == "installer" else ["--rollback"]
    done = subprocess.run([sys.executable, "-m", f"ovirt_node.cli.{module}", "--json", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert f"ovirt-node-{module}: --json describes a plan only; add --dry-run" in done.stderr
    assert not log.exists()  # refused before anything, the log included


def test_upgrade_refusal_as_json() -> None:
    done = subprocess.run([sys.executable, "-m", "ovirt_node.cli.upgrade", "--rollback", "--dry-run", "--json"],
                          capture_output=True, text=True, cwd=REPO, timeout=60)
    assert done.returncode == 2
    assert json.loads(done.stdout) == {"changed": False, "steps": [], "warnings": [], "diff": {},
                                       "error": "this machine has no installed node (no HostVG with an image)"}
