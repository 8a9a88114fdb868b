"""The SNMP section through the real engine, the real ovirt-node-config and the real snmpd."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from ovirt_node_snmp.config import Snmp

from ovirt_node.api import Context, Engine, InvalidChanges, Root, all_sections
from ovirt_node.ui.testing import MockService
from tests.node_fixtures import changed_paths, run_config, snapshot

PASSWORD = 'Secr3t"pa\\ss#word'  # a quote, a backslash and a hash: net-snmp must read it back
PERSISTENT = "var/lib/snmp/snmpd.conf"  # the demo root is Debian
WANTS = "etc/systemd/system/multi-user.target.wants/snmpd.service"


def engine(root: Path, bus: str | None = None) -> Engine:
    return Engine(Context(root=Root.at(root), bus=bus), all_sections())


def test_the_plugin_section_is_registered_through_the_entry_point(node_root: Path) -> None:
    assert isinstance(engine(node_root).sections["snmp"], Snmp)
    assert engine(node_root).values(["snmp"]) == {"snmp.enabled": "no", "snmp.password": ""}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def snmpget(port: int, password: str, state: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["snmpget", "-v3", "-l", "authPriv", "-u", "root", "-a", "SHA", "-A", password, "-x", "AES",
         "-X", password, "-On", "-r", "1", "-t", "2", f"udp:127.0.0.1:{port}", ".1.3.6.1.2.1.1.4.0"],
        capture_output=True, text=True, env={**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(state)})


@pytest.mark.skipif(not (shutil.which("snmpd") and shutil.which("snmpget")), reason="needs snmpd and snmpget")
def test_enabled_config_is_read_by_snmpd_and_the_user_authenticates(node_root: Path, tmp_path: Path,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    engine(node_root).apply({"snmp.enabled": "yes", "snmp.password": PASSWORD})
    conf, persistent = node_root / "etc/snmp/snmpd.conf", node_root / PERSISTENT
    assert persistent.stat().st_mode & 0o777 == 0o600
    assert (node_root / WANTS).is_symlink()
    assert "rouser root priv" in conf.read_text() and "sysLocation    Rack 4, row B" in conf.read_text()
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_SNMP_ENABLED="yes"' in defaults and PASSWORD not in defaults
    assert PASSWORD not in caplog.text

    # The daemon's own reading of both files: no warnings, and the user gets in with the password.
    state, port = tmp_path / "snmp-state", free_port()
    state.mkdir()
    agent = subprocess.Popen(
        ["snmpd", "-f", "-Lo", "-C", "-c", f"{conf},{persistent}", "-p", str(state / "pid"), f"udp:127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "MIBS": "", "SNMP_PERSISTENT_DIR": str(state)})
    try:
        deadline = time.monotonic() + 10
        while (result := snmpget(port, PASSWORD, state)).returncode != 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert result.returncode == 0, result.stderr
        assert "root@demo-node.example.com" in result.stdout  # sysContact from the kept lines
        wrong = snmpget(port, "not-the-password", state)
        assert wrong.returncode != 0 and "Authentication failure" in wrong.stderr
    finally:
        agent.terminate()
        output = agent.communicate(timeout=10)[0]
    assert "Warning" not in output and "Error" not in output, output


def test_enabling_without_a_password_is_refused_and_nothing_written(node_root: Path) -> None:
    before = snapshot(node_root)
    with pytest.raises(InvalidChanges) as err:
        engine(node_root).apply({"snmp.enabled": "yes"})
    assert "needs a password" in err.value.errors["snmp.password"]
    assert changed_paths(before, snapshot(node_root)) == set()


@pytest.mark.parametrize("bad", ["short1", "has a space"])
def test_bad_password_from_an_answers_file_exits_2_and_writes_nothing(node_root: Path, tmp_path: Path,
                                                                       bad: str) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"snmp:\n  enabled: yes\n  password: '{bad}'\n")
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "apply", str(answers))
    assert result.returncode == 2
    assert "invalid snmp.password: must be at least 8 characters without spaces" in result.stderr
    assert bad not in result.stdout + result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_the_password_is_never_taken_from_the_command_line(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "snmp.enabled=yes", f"snmp.password={PASSWORD}")
    assert result.returncode == 2 and "never taken from the command line" in result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_kernel_argument_enables_and_a_bad_one_is_logged_and_skipped(node_root: Path) -> None:
    before = snapshot(node_root)
    bad = run_config("--root", str(node_root), "cmdline", "snmp_password=short")
    assert bad.returncode == 0
    assert "skipped: snmp_password=" in bad.stdout and "short" not in bad.stdout  # redacted
    assert changed_paths(before, snapshot(node_root)) == set()

    good = run_config("--root", str(node_root), "cmdline", "snmp_password=Kernel-Arg-Pw1")
    assert good.returncode == 0, good.stderr
    assert "Kernel-Arg-Pw1" not in good.stdout + good.stderr
    assert 'createUser root SHA "Kernel-Arg-Pw1" AES "Kernel-Arg-Pw1"' in (node_root / PERSISTENT).read_text()
    assert run_config("--root", str(node_root), "get", "snmp.enabled").stdout == "yes\n"


def test_a_new_password_replaces_the_users_keys_and_keeps_other_users(node_root: Path) -> None:
    persistent = node_root / PERSISTENT
    persistent.parent.mkdir(parents=True)
    other = 'usmUser 1 3 0x80001f88 "monitor" "monitor" NULL .1.3.6.1.6.3.10.1.1.3 0x01 .1.3.6.1.6.3.10.1.2.4 0x02 ""'
    ours = "usmUser 1 3 0x80001f88 0x726f6f74 0x726f6f74 NULL .1.3.6.1.6.3.10.1.1.3 0x03 .1.3.6.1.6.3.10.1.2.4 0x04 0x"
    persistent.write_text(f"{other}\n{ours}\nsetserialno 1234\n")
    engine(node_root).apply({"snmp.enabled": "yes", "snmp.password": "Another-pw"})
    assert persistent.read_text().splitlines() == [
        other, "setserialno 1234", 'createUser root SHA "Another-pw" AES "Another-pw"']


def calls(service: MockService) -> list[tuple[str, list[str]]]:
    """The unit jobs systemd was asked for, in order."""
    jobs = ("StartUnit", "StopUnit", "RestartUnit")
    return [(str(name), [str(a) for a in args]) for _t, name, args in service.mock.GetCalls() if name in jobs]


def test_snmpd_is_stopped_before_its_files_change_and_disabling_removes_the_user(
        node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("snmpd.service")
    engine(node_root, systemd_mock.address).apply({"snmp.enabled": "yes", "snmp.password": "First-pass"})
    assert calls(systemd_mock) == [
        ("StopUnit", ["snmpd.service", "replace"]), ("RestartUnit", ["snmpd.service", "replace"])]
    systemd_mock.mock.ClearCalls()

    engine(node_root, systemd_mock.address).apply({"snmp.enabled": "no"})
    assert calls(systemd_mock) == [("StopUnit", ["snmpd.service", "replace"])]
    assert "createUser" not in (node_root / PERSISTENT).read_text()
    assert "rouser root" not in (node_root / "etc/snmp/snmpd.conf").read_text()
    assert not (node_root / WANTS).is_symlink()
    assert engine(node_root).values(["snmp"])["snmp.enabled"] == "no"
