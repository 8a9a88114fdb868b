"""`ovirt-node-config export`: the settings ovirt-node recorded, as the answers file `apply`
takes (TOML, or JSON). Round trip on real node trees: export a configured node, apply it onto
a fresh one, export that: identical; applying the export where it came from is no change.
The admin password only with --with-secrets, as its hash, which apply sets as it is."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest

from ovirt_node.core.resources import copy_demo_root
from tests.node_fixtures import changed_paths, run_config, snapshot
from tests.shadow import shadow_fields, verifies

PASSWORD = "Round-Trip-Pass-1"


def settings(key: str) -> list[str]:
    return ["ssh.port=2222", "ssh.pwauth=yes", f"ssh.authorized_keys={key}",
            "logging.rsyslog.server=log.example.com", "logging.rsyslog.port=1514", "logging.rsyslog.protocol=tcp",
            "monitoring.collectd.server=collectd.example.com", "network.ntp=ntp1.example.com,ntp2.example.com",
            "network.dns=192.0.2.1", "kdump.mode=nfs", "kdump.nfs_location=nfs.example.com:/dumps",
            "security.strong_rng=32", "keyboard.keymap=de", "nfsv4.domain=example.com",
            "iscsi.initiator_name=iqn.2024-01.com.example:node1", "performance.tuned.profile=throughput-performance"]


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    root = copy_demo_root(tmp_path / "configured")
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops@example.com",
                    "-f", str(tmp_path / "key")], check=True)
    key = (tmp_path / "key.pub").read_text().strip()
    run_config("--root", str(root), "set", *settings(key), check=True)
    run_config("--root", str(root), "set-password", stdin=PASSWORD + "\n", check=True)
    return root


def export(root: Path, *args: str) -> str:
    done = run_config("--root", str(root), "export", *args)
    assert done.returncode == 0, done.stderr
    return done.stdout


def applied(root: Path, path: Path) -> dict:  # type: ignore[type-arg]
    done = run_config("--root", str(root), "apply", "--json", str(path))
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict = json.loads(done.stdout)  # type: ignore[type-arg]
    assert result["error"] is None
    return result


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_round_trip_onto_a_fresh_node(configured: Path, tmp_path: Path, fmt: str) -> None:
    flags = ["--with-secrets"] + (["--json"] if fmt == "json" else [])
    first = export(configured, *flags)
    data = json.loads(first) if fmt == "json" else tomllib.loads(first)
    assert data["ssh"]["port"] == 2222 and data["ssh"]["pwauth"] is True
    assert data["logging"]["rsyslog.server"] == "log.example.com" and data["logging"]["rsyslog.port"] == 1514
    assert data["security"]["admin_password"] == shadow_fields(configured)[1]
    answers = tmp_path / f"node.{fmt}"
    answers.write_text(first)
    fresh = copy_demo_root(tmp_path / "fresh")
    assert applied(fresh, answers)["changed"] is True
    assert export(fresh, *flags) == first
    assert verifies(PASSWORD, shadow_fields(fresh)[1]) and shadow_fields(fresh)[2] != "0"
    before = snapshot(configured)
    assert applied(configured, answers) == {"changed": False, "steps": [], "warnings": [], "diff": {}, "error": None}
    assert changed_paths(before, snapshot(configured)) == set()


def test_secrets_left_out_by_default_and_os_facts_not_exported(configured: Path, node_root: Path) -> None:
    text = export(configured)
    assert shadow_fields(configured)[1] not in text and "admin_password" not in text.replace(
        "# Left out: security.admin_password (export --with-secrets adds its hash).", "")
    # A fresh node: only what its settings file records; its generated iSCSI name stays home.
    fresh = tomllib.loads(export(node_root))
    # boot.console has no place in the settings file: its value is the boot menu's (the demo's says tty0).
    assert fresh == {"ssh": {"pwauth": False}, "logging": {"logrotate.interval": "daily"},
                     "network": {"hostname": "demo-node.example.com"}, "boot": {"console": "tty0"}}


def test_output_file_is_private_and_bad_outputs_are_refused(configured: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.toml"
    done = run_config("--root", str(configured), "export", "--with-secrets", "--output", str(out))
    assert done.returncode == 0 and done.stdout == ""
    assert out.stat().st_mode & 0o777 == 0o600 and tomllib.loads(out.read_text())["ssh"]["port"] == 2222
    folder = tmp_path / "folder"
    folder.mkdir()
    refused = run_config("--root", str(configured), "export", "--output", str(folder))
    assert refused.returncode == 2 and refused.stderr == f"ovirt-node-config: --output {folder}: is a directory " \
        "(name a file)\n"
    missing = run_config("--root", str(configured), "export", "--output", str(tmp_path / "no/such/dir/x.toml"))
    assert missing.returncode == 2 and "No such file or directory" in missing.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["configured", "export.toml", "folder", "key", "key.pub"]
    assert list(folder.iterdir()) == []


def test_apply_refuses_what_is_neither_toml_nor_yaml(node_root: Path) -> None:
    before = snapshot(node_root)
    done = run_config("--root", str(node_root), "apply", "-", stdin="[ssh]\nport = \n")
    assert done.returncode == 2
    assert done.stderr.startswith("ovirt-node-config: standard input: not valid TOML, YAML or JSON")
    assert changed_paths(before, snapshot(node_root)) == set()
