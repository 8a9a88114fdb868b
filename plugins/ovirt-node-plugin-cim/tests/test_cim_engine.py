"""The CIM section through the real engine, useradd/chpasswd on an EL node tree (the EL family
ships the CIM server), and the CLI; on a Debian node tree every way in refuses with the sentence
that no CIM server exists for Debian, and nothing is written."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from ovirt_node_cim.config import NO_CIMOM, Cim

from ovirt_node.api import Context, Engine, InvalidChanges, Root, all_sections, password_state
from ovirt_node.ui.testing import MockService
from tests.integration.el_node import make_el_root
from tests.node_fixtures import changed_paths, run_config, snapshot

WANTS = "etc/systemd/system/multi-user.target.wants/sblim-sfcb.service"


def engine(root: Path, bus: str | None = None) -> Engine:
    return Engine(Context(root=Root.at(root), bus=bus), all_sections())


@pytest.fixture
def el_root(node_root: Path) -> Path:
    return make_el_root(node_root)


def test_enabling_creates_the_user_sets_its_password_and_enables_the_server(
        el_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert isinstance(engine(el_root).sections["cim"], Cim)
    engine(el_root).apply({"cim.enabled": "yes", "cim.password": "Cim-secret-1"})
    entry = next(line.split(":") for line in (el_root / "etc/passwd").read_text().splitlines()
                 if line.startswith("cim:"))
    assert entry[4:] == ["CIM clients", "/home/cim", "/sbin/nologin"] and int(entry[2]) < 1000  # a system user
    state = password_state(Root.at(el_root), "cim")
    assert state.exists and not state.locked and state.hash.startswith("$")
    assert (el_root / WANTS).is_symlink()
    defaults = (el_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_CIM_ENABLED="yes"' in defaults and "Cim-secret-1" not in defaults
    assert "Cim-secret-1" not in caplog.text
    assert engine(el_root).values(["cim"])["cim.enabled"] == "yes"


def test_enabling_without_a_password_is_refused_and_nothing_written(el_root: Path) -> None:
    before = snapshot(el_root)
    with pytest.raises(InvalidChanges) as err:
        engine(el_root).apply({"cim.enabled": "yes"})
    assert err.value.errors == {"cim.password": "CIM needs a password for the user cim to be enabled"}
    assert changed_paths(before, snapshot(el_root)) == set()


def test_short_password_from_an_answers_file_exits_2_and_writes_nothing(el_root: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("cim:\n  enabled: yes\n  password: short\n")
    before = snapshot(el_root)
    result = run_config("--root", str(el_root), "apply", str(answers))
    assert result.returncode == 2 and "invalid cim.password" in result.stderr
    assert changed_paths(before, snapshot(el_root)) == set()


def test_kernel_arguments_and_bad_values_logged_and_skipped(el_root: Path) -> None:
    before = snapshot(el_root)
    bad = run_config("--root", str(el_root), "cmdline", "cim_enabled=maybe", "cim_passwd=short")
    assert bad.returncode == 0
    assert "skipped: cim_enabled=maybe: not understood; write cim_enabled or" in bad.stdout
    assert "skipped: cim_passwd=" in bad.stdout and "short" not in bad.stdout  # the secret is redacted
    assert changed_paths(before, snapshot(el_root)) == set()

    good = run_config("--root", str(el_root), "cmdline", "cim_passwd=Kernel-Cim-1")
    assert good.returncode == 0, good.stderr
    assert "Kernel-Cim-1" not in good.stdout + good.stderr
    assert run_config("--root", str(el_root), "get", "cim.enabled").stdout == "yes\n"
    off = run_config("--root", str(el_root), "cmdline", "cim_enabled=0")
    assert off.returncode == 0, off.stderr
    assert run_config("--root", str(el_root), "get", "cim.enabled").stdout == "no\n"


def test_disabling_stops_the_server_and_keeps_the_account(el_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("sblim-sfcb.service")
    engine(el_root, systemd_mock.address).apply({"cim.enabled": "yes", "cim.password": "Cim-secret-1"})
    engine(el_root, systemd_mock.address).apply({"cim.enabled": "no"})
    jobs = [(str(n), str(a[0])) for _t, n, a in systemd_mock.mock.GetCalls() if n in ("RestartUnit", "StopUnit")]
    assert jobs == [("RestartUnit", "sblim-sfcb.service"), ("StopUnit", "sblim-sfcb.service")]
    assert not (el_root / WANTS).is_symlink()
    assert password_state(Root.at(el_root), "cim").exists


def test_on_a_debian_node_every_way_in_is_refused_and_nothing_written(node_root: Path, tmp_path: Path) -> None:
    before = snapshot(node_root)
    refused = run_config("--root", str(node_root), "set", "cim.enabled=yes")
    assert refused.returncode == 2 and NO_CIMOM in refused.stderr
    answers = tmp_path / "answers.yaml"
    answers.write_text("cim:\n  enabled: yes\n  password: Cim-secret-1\n")
    refused = run_config("--root", str(node_root), "apply", str(answers))
    assert refused.returncode == 2 and NO_CIMOM in refused.stderr and "Cim-secret-1" not in refused.stderr
    skipped = run_config("--root", str(node_root), "cmdline", "cim_passwd=Kernel-Cim-1")
    assert skipped.returncode == 0 and NO_CIMOM in skipped.stdout
    assert "Kernel-Cim-1" not in skipped.stdout + skipped.stderr
    assert changed_paths(before, snapshot(node_root)) == set()
    assert run_config("--root", str(node_root), "get", "cim.enabled").stdout == "no\n"
    # Turning it off, what it already is, is no error.
    assert run_config("--root", str(node_root), "set", "cim.enabled=no").returncode == 0


def test_the_keys_help_says_debian_has_no_cim_server(node_root: Path) -> None:
    shown = json.loads(run_config("--root", str(node_root), "show", "--json", "cim").stdout)
    for key in ("cim.enabled", "cim.password"):
        assert "not available on Debian nodes: no CIM server exists for Debian" in shown[key]["description"]
