"""`--check` (alias `--dry-run`) and `--diff` of set, apply and cmdline, and `cmdline --json`:
a check writes nothing and exits 0, says whether anything would change, and its diffs are
exactly the ones the real run then produces (worked out in memory, never by writing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.node_fixtures import REPO, changed_paths, run_config, snapshot


def as_json(*args: str, stdin: str | None = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    done = run_config(*args, "--json", stdin=stdin)
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def admin_key(tmp_path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops@example.com",
                    "-f", str(tmp_path / "key")], check=True)
    return (tmp_path / "key.pub").read_text().strip()


def test_check_diff_is_what_the_run_then_writes(node_root: Path, admin_key: str) -> None:
    changes = ["ssh.port=2222", "logging.rsyslog.server=log.example.com", f"ssh.authorized_keys={admin_key}"]
    before = snapshot(node_root)
    code, check = as_json("--root", str(node_root), "set", "--check", *changes)
    assert code == 0 and check["changed"] is True and check["error"] is None
    assert all(step["state"] == "planned" for step in check["steps"])
    assert changed_paths(before, snapshot(node_root)) == set()
    code, done = as_json("--root", str(node_root), "set", *changes)
    assert code == 0 and done["changed"] is True
    assert check["diff"] == done["diff"]
    assert set(done["diff"]) == {"/etc/default/ovirt", "/etc/ssh/sshd_config", "/home/admin/.ssh/authorized_keys",
                                 "/etc/rsyslog.d/ovirt-node-remote.conf"}
    assert f"+{admin_key}\n" in done["diff"]["/home/admin/.ssh/authorized_keys"]
    code, again = as_json("--root", str(node_root), "set", "--check", *changes)
    assert code == 0 and again == {"changed": False, "steps": [], "warnings": [], "diff": {}, "error": None}


def test_check_diff_in_text_mode(node_root: Path) -> None:
    before = snapshot(node_root)
    done = run_config("--root", str(node_root), "set", "--check", "--diff", "ssh.port=2222")
    assert done.returncode == 0, done.stderr
    assert "Plan (" in done.stdout and "dry run: nothing was changed" in done.stdout
    assert "--- a/etc/ssh/sshd_config\n+++ b/etc/ssh/sshd_config\n" in done.stdout and "+Port 2222\n" in done.stdout
    assert '+OVIRT_SSH_PORT="2222"\n' in done.stdout
    assert changed_paths(before, snapshot(node_root)) == set()
    old = run_config("--root", str(node_root), "set", "--dry-run", "--diff", "ssh.port=2222")  # the alias
    assert old.returncode == 0 and old.stdout == done.stdout


def test_diff_of_a_real_run_in_text_mode(node_root: Path) -> None:
    done = run_config("--root", str(node_root), "apply", "--diff", "-", stdin="ssh:\n  port: 2022\n")
    assert done.returncode == 0, done.stderr
    assert "Applied: ssh.port" in done.stdout and "+Port 2022\n" in done.stdout
    assert "Port 2022" in (node_root / "etc/ssh/sshd_config").read_text()


def test_apply_check_from_stdin_writes_nothing(node_root: Path) -> None:
    before = snapshot(node_root)
    code, check = as_json("--root", str(node_root), "apply", "--check", "-",
                          stdin='{"logging.rsyslog.server": "l.example.com", "ssh.pwauth": true}')
    assert code == 0 and check["changed"] is True
    assert "+PasswordAuthentication yes\n" in check["diff"]["/etc/ssh/sshd_config"]
    assert "+*.*\t@l.example.com:514\n" in check["diff"]["/etc/rsyslog.d/ovirt-node-remote.conf"]
    assert changed_paths(before, snapshot(node_root)) == set()


def test_a_bad_value_in_a_check_is_refused_like_a_change(node_root: Path) -> None:
    before = snapshot(node_root)
    code, refused = as_json("--root", str(node_root), "set", "--check", "ssh.port=70000")
    assert code == 2 and refused["changed"] is False
    assert refused["error"] == "invalid ssh.port: must be a port number from 1 to 65535"
    assert changed_paths(before, snapshot(node_root)) == set()


def test_cmdline_check_then_run_then_again(node_root: Path) -> None:
    args = ["ssh_pwauth=1", "syslog=l.example.com", "no_such_arg=1"]
    before = snapshot(node_root)
    code, check = as_json("--root", str(node_root), "cmdline", "--check", *args)
    assert code == 0 and check["changed"] is True and check["error"] is None
    assert check["warnings"] == ["ignored: no_such_arg=1 (not a setting this node knows)"]
    assert changed_paths(before, snapshot(node_root)) == set()
    code, done = as_json("--root", str(node_root), "cmdline", *args)
    assert code == 0 and done["changed"] is True and done["error"] is None
    assert done["diff"] == check["diff"]
    assert {"title": "Configure remote syslog", "state": "done", "detail": ""} in done["steps"]
    code, again = as_json("--root", str(node_root), "cmdline", *args)
    assert code == 0 and again["changed"] is False and again["diff"] == {} and again["steps"] == []


def test_cmdline_json_of_a_refused_argument_and_nothing_there(node_root: Path) -> None:
    before = snapshot(node_root)
    code, skipped = as_json("--root", str(node_root), "cmdline", "use_strong_rng=3")
    assert code == 0 and skipped["changed"] is False
    assert skipped["warnings"][0].startswith("skipped: use_strong_rng=3: security.strong_rng: must be 0")
    code, bad = as_json("--root", str(node_root), "cmdline", "--from", str(node_root / "nonexistent"))
    assert code == 2 and bad["error"] == f"{node_root}/nonexistent: No such file or directory"
    assert changed_paths(before, snapshot(node_root)) == set()


def test_a_network_check_previews_the_keyfile(node_root: Path) -> None:
    args = ["BOOTIF=eth0", "ip=192.0.2.10", "netmask=255.255.255.0", "gateway=192.0.2.1"]
    code, check = as_json("--root", str(node_root), "cmdline", "--check", *args)
    assert code == 0 and check["changed"] is True
    keyfile = "/etc/NetworkManager/system-connections/eth0.nmconnection"
    for line in ("-method=auto\n", "+method=manual\n", "+address1=192.0.2.10/24\n", "+gateway=192.0.2.1\n"):
        assert line in check["diff"][keyfile]
    code, done = as_json("--root", str(node_root), "cmdline", *args)
    assert code == 0 and done["diff"] == check["diff"]


SNMP = REPO / "build" / "plugins" / "ovirt-node-plugin-snmp"


def test_a_secret_of_the_change_is_never_in_a_diff(node_root: Path) -> None:
    """The SNMP plugin writes its password into its own file: that diff is named, not shown,
    in a check and in the run (the plugin from build/plugins, `make plugins`)."""
    assert SNMP.is_dir(), "run `make plugins`"
    answers = '{"snmp.enabled": "yes", "snmp.password": "Snmp-Secret-77x"}'
    env = {**os.environ, "PYTHONPATH": str(SNMP)}
    for check in (["--check"], []):
        done = subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(node_root), "apply",
                               "--json", *check, "-"], input=answers, capture_output=True, text=True, cwd=REPO,
                              env=env)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["changed"] is True
        assert result["diff"]["/var/lib/snmp/snmpd.conf"] == "(holds a secret of this change: not shown)"
        assert "+rouser root priv\n" in result["diff"]["/etc/snmp/snmpd.conf"]
        assert "Snmp-Secret-77x" not in done.stdout + done.stderr
    assert "Snmp-Secret-77x" in (node_root / "var/lib/snmp/snmpd.conf").read_text()  # it was written
