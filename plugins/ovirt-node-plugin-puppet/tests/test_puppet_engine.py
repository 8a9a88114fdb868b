"""The Puppet section through the real engine and ovirt-node-config; puppet.conf checked by
Puppet itself (`puppet config print --config FILE`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from ovirt_node_puppet.config import Puppet

from ovirt_node.api import Context, Engine, InvalidChanges, Root, all_sections
from ovirt_node.ui.testing import MockService
from tests.node_fixtures import changed_paths, run_config, snapshot

CONF = "etc/puppet/puppet.conf"  # the demo root is Debian
WANTS = "etc/systemd/system/multi-user.target.wants/puppet.service"


def engine(root: Path, bus: str | None = None) -> Engine:
    return Engine(Context(root=Root.at(root), bus=bus), all_sections())


def puppet_print(conf: Path, tmp: Path, *names: str) -> dict[str, str]:
    """What the agent makes of the file (Puppet's own parser), with its state kept in `tmp`."""
    dirs = [f"--{d}={tmp / d}" for d in ("vardir", "rundir", "logdir", "codedir")]
    result = subprocess.run(["puppet", "config", "print", "--config", str(conf), "--section", "agent", *dirs,
                             *names], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    if len(names) == 1:  # one name: the bare value
        return {names[0]: result.stdout.strip()}
    return dict(line.split(" = ", 1) for line in result.stdout.splitlines())


@pytest.mark.skipif(shutil.which("puppet") is None, reason="puppet is not installed")
def test_settings_reach_puppet_conf_and_puppet_reads_them(node_root: Path, tmp_path: Path) -> None:
    assert isinstance(engine(node_root).sections["puppet"], Puppet)
    tx = engine(node_root).apply({"puppet.enabled": "yes", "puppet.server": "puppet.example.com",
                                  "puppet.certname": "node1.example.com", "puppet.runinterval": "1h"})
    assert "Persist /etc/puppet" in [step.title for step in tx.steps]  # the directory, for the agent's state
    conf = node_root / CONF
    assert puppet_print(conf, tmp_path, "server", "certname", "runinterval", "ssldir") == {
        "server": "puppet.example.com", "certname": "node1.example.com", "runinterval": "3600",
        "ssldir": "/var/lib/puppet/ssl"}  # [main]'s own setting is kept
    assert (node_root / WANTS).is_symlink()
    assert engine(node_root).values(["puppet"]) == {
        "puppet.enabled": "yes", "puppet.server": "puppet.example.com", "puppet.certname": "node1.example.com",
        "puppet.runinterval": "1h"}

    # Clearing the certname gives it back to Puppet's default: the FQDN, not what was set.
    engine(node_root).apply({"puppet.certname": ""})
    assert "certname" not in conf.read_text()
    assert puppet_print(conf, tmp_path, "certname")["certname"] != "node1.example.com"


@pytest.mark.parametrize(("key", "bad", "message"), [
    ("puppet.runinterval", "every hour", "a duration"),
    ("puppet.certname", "Node1.Example.com", "lower-case"),
    ("puppet.server", "not a host!", "must be a host name or IP address"),
])
def test_bad_values_exit_2_and_nothing_is_written(node_root: Path, key: str, bad: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "puppet.server=puppet.example.com", f"{key}={bad}")
    assert result.returncode == 2 and f"invalid {key}: " in result.stderr and message in result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_enabling_without_a_server_is_refused(node_root: Path) -> None:
    before = snapshot(node_root)
    with pytest.raises(InvalidChanges) as err:
        engine(node_root).apply({"puppet.enabled": "yes"})
    assert err.value.errors == {"puppet.server": "the agent needs a Puppet server to be enabled"}
    assert changed_paths(before, snapshot(node_root)) == set()


def test_kernel_arguments_and_a_bad_one_logged_and_skipped(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline", "puppet_server=puppet.example.com",
                        "puppet_certname=BAD_Name")
    assert result.returncode == 0, result.stderr
    assert "skipped: puppet_certname=BAD_Name: puppet.certname: must be" in result.stdout
    text = (node_root / CONF).read_text()
    assert "server=puppet.example.com" in text and "certname" not in text
    assert run_config("--root", str(node_root), "get", "puppet.enabled").stdout == "yes\n"


def test_disabling_stops_the_agent(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("puppet.service")
    engine(node_root, systemd_mock.address).apply({"puppet.enabled": "yes", "puppet.server": "p.example.com"})
    engine(node_root, systemd_mock.address).apply({"puppet.enabled": "no"})
    jobs = [(str(n), str(a[0])) for _t, n, a in systemd_mock.mock.GetCalls() if n in ("RestartUnit", "StopUnit")]
    assert jobs == [("RestartUnit", "puppet.service"), ("StopUnit", "puppet.service")]
    assert not (node_root / WANTS).is_symlink()
    assert "server=p.example.com" in (node_root / CONF).read_text()  # kept for the next time
