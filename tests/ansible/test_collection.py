"""The ovirt.node collection with the real ansible-core: built and installed with ansible-galaxy,
run by ansible-playbook (connection local) on a copy of the demo node root (`root:`)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ansible.collection import BIN, FLEET, PlayRun, env, install, playbook
from tests.node_fixtures import snapshot

LOCAL = "localhost ansible_connection=local\n[ovirt_nodes]\nlocalhost\n"
NTP = "ntp1.example.com,ntp2.example.com"


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install(tmp_path_factory.mktemp("collection"))


@pytest.fixture(scope="module")
def admin_key(tmp_path_factory: pytest.TempPathFactory) -> str:
    key = tmp_path_factory.mktemp("key") / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ansible@control", "-f", key], check=True)
    return key.with_suffix(".pub").read_text().strip()


@pytest.fixture
def persist_root(node_root: Path) -> Iterator[Path]:
    """The node root with a /config store; `persist` bind-mounts in it for real, so whatever is still
    mounted under it at the end (a test that stopped half way) is unmounted."""
    (node_root / "config").mkdir()
    yield node_root
    mounts = subprocess.run(["findmnt", "-rn", "-o", "TARGET"], capture_output=True, text=True).stdout.split()
    for target in sorted((m for m in mounts if m.startswith(f"{node_root}/")), reverse=True):
        subprocess.run(["umount", target], check=True)


def tasks_play(*tasks: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"hosts": "localhost", "gather_facts": False, "tasks": list(tasks)}]


def run(collections: Path, tmp_path: Path, play: str | list[dict[str, Any]], *options: str) -> PlayRun:
    return playbook(collections, tmp_path, play, LOCAL, list(options))


def fleet(collections: Path, tmp_path: Path, root: Path, key: str, *options: str) -> PlayRun:
    return run(collections, tmp_path, FLEET, "-e", f"ovirt_node_root={root}", "-e", f"ntp_servers={NTP}",
               "-e", "syslog_server=192.0.2.7", "-e", f"admin_keys='{key}'", *options)


def test_the_collection_documents_its_modules(collections: Path) -> None:
    for module in ("config", "facts", "persist"):
        doc = subprocess.run([BIN / "ansible-doc", f"ovirt.node.{module}"], capture_output=True, text=True,
                             env=env(collections), check=True).stdout
        assert f"ovirt.node.{module}" in doc and "root" in doc


def test_fleet_check_mode_then_apply_then_no_change(collections: Path, tmp_path: Path, node_root: Path,
                                                    admin_key: str) -> None:
    before = snapshot(node_root)
    checked = fleet(collections, tmp_path, node_root, admin_key, "--check", "--diff")
    assert checked.rc == 0, checked.output
    assert checked.count("CHANGED") == 1
    assert snapshot(node_root) == before, "check mode wrote to the node"

    applied = fleet(collections, tmp_path, node_root, admin_key, "--diff")
    assert applied.rc == 0, applied.output
    assert applied.count("CHANGED") == 1
    chrony = (node_root / "etc/chrony/chrony.conf").read_text()
    assert "ntp1.example.com" in chrony and "ntp2.example.com" in chrony
    assert "192.0.2.7" in (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
    keys = next(node_root.glob("home/admin/.ssh/authorized_keys")).read_text()
    assert admin_key in keys
    # --diff shows the CLI's diff of each file written
    assert "+++ b/etc/chrony/chrony.conf" in applied.output and "+server ntp1.example.com" in applied.output
    assert f"NTP {NTP}, syslog 192.0.2.7:514" in applied.output  # the facts task read it back

    written = snapshot(node_root)
    again = fleet(collections, tmp_path, node_root, admin_key)
    assert again.rc == 0, again.output
    assert again.count("CHANGED") == 0
    assert snapshot(node_root) == written


def test_answers_structure_and_facts(collections: Path, tmp_path: Path, node_root: Path) -> None:
    result = run(collections, tmp_path, tasks_play(
        {"ovirt.node.config": {"root": str(node_root),
                               "answers": {"logging": {"rsyslog": {"server": "logs.example.com", "port": 1514}}}}},
        {"ovirt.node.facts": {"root": str(node_root), "prefix": "logging.rsyslog"}},
        {"ansible.builtin.debug": {"var": "ansible_facts.ovirt_node"}},
        {"ansible.builtin.debug": {"var": "ansible_facts.ovirt_node_sources['logging.rsyslog.port']"}},
    ))
    assert result.rc == 0, result.output
    facts = result.results[2][1]["ansible_facts.ovirt_node"]
    assert facts["logging.rsyslog.server"] == "logs.example.com"
    assert facts["logging.rsyslog.port"] == "1514"
    assert set(facts) == {"logging.rsyslog.server", "logging.rsyslog.port", "logging.rsyslog.protocol"}
    assert result.results[3][1]["ansible_facts.ovirt_node_sources['logging.rsyslog.port']"] == "system"


@pytest.mark.parametrize(("settings", "message"), [
    ({"nope.key": "1"}, "invalid nope.key: unknown key"),
    ({"network.ntp": "ntp1.example.com", "logging.rsyslog.port": "99999"},
     "invalid logging.rsyslog.port: must be a port number from 1 to 65535"),
    ({"network.ntp": "bad host!"}, "invalid network.ntp: 'bad host!' must be a host name or IP address"),
])
@pytest.mark.parametrize("check", [False, True])
def test_bad_settings_fail_the_task_and_write_nothing(collections: Path, tmp_path: Path, node_root: Path,
                                                      settings: dict[str, str], message: str, check: bool) -> None:
    before = snapshot(node_root)
    task = {"ovirt.node.config": {"root": str(node_root), "settings": settings}}
    result = run(collections, tmp_path, tasks_play(task), *(["--check"] if check else []))
    assert result.rc == 2, result.output
    status, data = result.results[0]
    assert status == "FAILED!" and message in data["msg"]
    assert data["changed"] is False
    assert snapshot(node_root) == before


def test_settings_and_answers_together_are_refused(collections: Path, tmp_path: Path, node_root: Path) -> None:
    before = snapshot(node_root)
    result = run(collections, tmp_path, tasks_play({"ovirt.node.config": {
        "root": str(node_root), "settings": {"network.ntp": "a.example.com"},
        "answers": {"network": {"ntp": "b.example.com"}}}}))
    assert result.rc == 2
    assert "mutually exclusive: settings|answers" in result.results[0][1]["msg"]
    assert snapshot(node_root) == before


def test_a_missing_binary_fails_with_the_shells_message(collections: Path, tmp_path: Path, node_root: Path) -> None:
    result = run(collections, tmp_path, tasks_play({"ovirt.node.facts": {
        "root": str(node_root), "binary": str(tmp_path / "no-such-ovirt-node-config")}}))
    assert result.rc == 2
    assert "no-such-ovirt-node-config: not found" in result.results[0][1]["msg"]


def test_persist_round_trip(collections: Path, tmp_path: Path, persist_root: Path) -> None:
    node_root = persist_root
    listed = node_root / "config/files"
    path = "/etc/chrony/chrony.conf"

    def persist(state: str, *options: str) -> tuple[str, dict[str, Any]]:
        result = run(collections, tmp_path, tasks_play(
            {"ovirt.node.persist": {"root": str(node_root), "paths": [path], "state": state}}), *options)
        assert result.rc == 0, result.output
        return result.results[0]

    assert persist("present", "--check") == ("CHANGED", {"changed": True, "paths": [path]})
    assert not listed.exists() or path not in listed.read_text()
    status, data = persist("present")
    assert status == "CHANGED" and data["stdout_lines"] == [f"Successfully persisted {path}"]
    assert path in listed.read_text().split()
    assert persist("present")[0] == "SUCCESS"
    assert persist("absent", "--check")[0] == "CHANGED"
    assert path in listed.read_text().split()
    status, data = persist("absent")
    assert status == "CHANGED" and data["stdout_lines"] == [f"Successfully unpersisted {path}"]
    assert path not in listed.read_text().split()
    assert persist("absent")[0] == "SUCCESS"


def test_a_path_inside_a_persisted_directory_is_persisted(collections: Path, tmp_path: Path,
                                                          persist_root: Path) -> None:
    node_root = persist_root
    subprocess.run([BIN / "persist", "--root", node_root, "/etc/chrony"], check=True, capture_output=True)
    before = snapshot(node_root)
    result = run(collections, tmp_path, tasks_play(
        {"ovirt.node.persist": {"root": str(node_root), "paths": ["/etc/chrony/chrony.conf"]}}))
    assert result.rc == 0, result.output
    assert result.results[0] == ("SUCCESS", {"changed": False, "paths": []})
    assert snapshot(node_root) == before


@pytest.mark.parametrize(("path", "message"), [
    ("/etc/no-such-file", "persist: /etc/no-such-file: no such file or directory"),
    ("etc/hosts", "persist: etc/hosts: not an absolute path"),
])
def test_persist_refuses_bad_paths(collections: Path, tmp_path: Path, persist_root: Path, path: str,
                                   message: str) -> None:
    node_root = persist_root
    before = snapshot(node_root)
    task = {"ovirt.node.persist": {"root": str(node_root), "paths": [path]}}
    result = run(collections, tmp_path, tasks_play(task))
    assert result.rc == 2, result.output
    status, data = result.results[0]
    assert status == "FAILED!" and message in data["msg"]
    assert snapshot(node_root) == before


def test_the_collection_has_the_nodes_version() -> None:
    import yaml

    from ovirt_node import __version__
    from tests.ansible.collection import SOURCE

    assert yaml.safe_load((SOURCE / "galaxy.yml").read_text())["version"] == __version__
