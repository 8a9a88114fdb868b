"""The CIM section through the real engine, useradd/chpasswd on the node tree, and the CLI."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from ovirt_node_cim.config import Cim

from ovirt_node.api import Context, Engine, InvalidChanges, Root, all_sections, password_state
from ovirt_node.ui.testing import MockService
from tests.node_fixtures import changed_paths, run_config, snapshot

WANTS = "etc/systemd/system/multi-user.target.wants/sblim-sfcb.service"


def engine(root: Path, bus: str | None = None) -> Engine:
    return Engine(Context(root=Root.at(root), bus=bus), all_sections())


def test_enabling_creates_the_user_sets_its_password_and_enables_the_server(
        node_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert isinstance(engine(node_root).sections["cim"], Cim)
    engine(node_root).apply({"cim.enabled": "yes", "cim.password": "Cim-secret-1"})
    entry = next(line.split(":") for line in (node_root / "etc/passwd").read_text().splitlines()
                 if line.startswith("cim:"))
    assert entry[4:] == ["CIM clients", "/home/cim", "/usr/sbin/nologin"] and int(entry[2]) < 1000  # a system user
    state = password_state(Root.at(node_root), "cim")
    assert state.exists and not state.locked and state.hash.startswith("$")
    assert (node_root / WANTS).is_symlink()
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_CIM_ENABLED="yes"' in defaults and "Cim-secret-1" not in defaults
    assert "Cim-secret-1" not in caplog.text
    assert engine(node_root).values(["cim"])["cim.enabled"] == "yes"


def test_enabling_without_a_password_is_refused_and_nothing_written(node_root: Path) -> None:
    before = snapshot(node_root)
    with pytest.raises(InvalidChanges) as err:
        engine(node_root).apply({"cim.enabled": "yes"})
    assert err.value.errors == {"cim.password": "CIM needs a password for the user cim to be enabled"}
    assert changed_paths(before, snapshot(node_root)) == set()


def test_short_password_from_an_answers_file_exits_2_and_writes_nothing(node_root: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("cim:\n  enabled: yes\n  password: short\n")
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "apply", str(answers))
    assert result.returncode == 2 and "invalid cim.password" in result.stderr
    assert changed_paths(before, snapshot(node_root)) == set()


def test_kernel_arguments_and_bad_values_logged_and_skipped(node_root: Path) -> None:
    before = snapshot(node_root)
    bad = run_config("--root", str(node_root), "cmdline", "cim_enabled=maybe", "cim_passwd=short")
    assert bad.returncode == 0
    assert "skipped: cim_enabled=maybe: not understood; write cim_enabled or" in bad.stdout
    assert "skipped: cim_passwd=" in bad.stdout and "short" not in bad.stdout  # the secret is redacted
    assert changed_paths(before, snapshot(node_root)) == set()

    good = run_config("--root", str(node_root), "cmdline", "cim_passwd=Kernel-Cim-1")
    assert good.returncode == 0, good.stderr
    assert "Kernel-Cim-1" not in good.stdout + good.stderr
    assert run_config("--root", str(node_root), "get", "cim.enabled").stdout == "yes\n"
    off = run_config("--root", str(node_root), "cmdline", "cim_enabled=0")
    assert off.returncode == 0, off.stderr
    assert run_config("--root", str(node_root), "get", "cim.enabled").stdout == "no\n"


def test_disabling_stops_the_server_and_keeps_the_account(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("sblim-sfcb.service")
    engine(node_root, systemd_mock.address).apply({"cim.enabled": "yes", "cim.password": "Cim-secret-1"})
    engine(node_root, systemd_mock.address).apply({"cim.enabled": "no"})
    jobs = [(str(n), str(a[0])) for _t, n, a in systemd_mock.mock.GetCalls() if n in ("RestartUnit", "StopUnit")]
    assert jobs == [("RestartUnit", "sblim-sfcb.service"), ("StopUnit", "sblim-sfcb.service")]
    assert not (node_root / WANTS).is_symlink()
    assert password_state(Root.at(node_root), "cim").exists
