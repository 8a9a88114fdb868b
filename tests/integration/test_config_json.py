"""`--json` of set, apply and set-password, as an automation tool reads it: a real change and
a no-op both exit 0 and differ in "changed"; the diff of every file written (never of the
password database); a dry run plans and writes nothing; a refusal is an "error" with exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from tests.node_fixtures import changed_paths, run_config, snapshot
from tests.shadow import shadow_fields


def result(*args: str, stdin: str | None = None) -> tuple[int, dict[str, object]]:
    done = run_config(*args, stdin=stdin)
    return done.returncode, json.loads(done.stdout)


def test_a_change_then_the_same_again(node_root: Path) -> None:
    code, first = result("--root", str(node_root), "set", "--json", "ssh.port=2222")
    assert code == 0 and first["changed"] is True and first["error"] is None
    diff = first["diff"]
    assert isinstance(diff, dict) and set(diff) == {"/etc/default/ovirt", "/etc/ssh/sshd_config"}
    assert "+Port 2222\n" in diff["/etc/ssh/sshd_config"] and '+OVIRT_SSH_PORT="2222"' in diff["/etc/default/ovirt"]
    assert {"title": "Configure the SSH daemon", "state": "done", "detail": ""} in first["steps"]  # type: ignore[operator]
    code, second = result("--root", str(node_root), "set", "--json", "ssh.port=2222")
    assert code == 0 and second == {"changed": False, "steps": [], "warnings": [], "diff": {}, "error": None}


def test_a_dry_run_plans_and_writes_nothing(node_root: Path) -> None:
    before = snapshot(node_root)
    code, plan = result("--root", str(node_root), "set", "--json", "--dry-run", "ssh.port=1022")
    assert code == 0 and plan["changed"] is True
    assert "+Port 1022\n" in plan["diff"]["/etc/ssh/sshd_config"]  # type: ignore[index]
    assert plan["warnings"] == ["ssh.port: port 1022 is in the reserved range (below 1024) and may belong to "
                                "another service; 22 or a port from 1024 up is the usual choice."]
    assert all(step["state"] == "planned" for step in plan["steps"])  # type: ignore[attr-defined,index]
    assert changed_paths(before, snapshot(node_root)) == set()


def test_a_refusal_is_an_error_and_nothing_is_written(node_root: Path) -> None:
    before = snapshot(node_root)
    code, refused = result("--root", str(node_root), "set", "--json", "ssh.port=0")
    assert code == 2 and refused["changed"] is False
    assert refused["error"] == "invalid ssh.port: must be a port number from 1 to 65535"
    code, bad = result("--root", str(node_root), "apply", "--json", "-", stdin="ssh: [\n")
    assert code == 2 and bad["error"] == "standard input: not valid TOML, YAML or JSON (as YAML: line 2, column 1)"
    assert changed_paths(before, snapshot(node_root)) == set()


def test_the_password_database_is_named_not_shown(node_root: Path) -> None:
    code, done = result("--root", str(node_root), "set-password", "--json", stdin="Json-Secret-9931\n")
    assert code == 0 and done["changed"] is True
    diff = done["diff"]
    assert isinstance(diff, dict) and diff.get("/etc/shadow") == "(holds password hashes: not shown)"
    hash_now = shadow_fields(node_root)[1]
    assert hash_now not in json.dumps(done) and "Json-Secret-9931" not in json.dumps(done)


def test_apply_from_standard_input(node_root: Path) -> None:
    code, done = result("--root", str(node_root), "apply", "--json", "-",
                        stdin='{"logging.rsyslog.server": "l.example.com"}')
    assert code == 0 and done["changed"] is True
    assert "/etc/rsyslog.d/ovirt-node-remote.conf" in done["diff"]  # type: ignore[operator]
