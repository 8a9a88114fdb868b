"""The plugin's config key through the real engine and the real ovirt-node-config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.api import Context, Engine, InvalidChanges, Root, all_sections
from ovirt_node.ui.testing import demo_root_copy


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return demo_root_copy(tmp_path / "root")


def engine(root: Path) -> Engine:
    return Engine(Context(root=Root.at(root)), all_sections())


def test_plugin_section_is_registered(root: Path) -> None:
    assert "motd.message" in engine(root).keys


def test_set_writes_motd_and_reads_it_back(root: Path) -> None:
    engine(root).apply({"motd.message": "Authorised use only"})
    assert (root / "etc/motd").read_text() == "Authorised use only\n"
    assert engine(root).values()["motd.message"] == "Authorised use only"
    assert 'OVIRT_MOTD_MESSAGE="Authorised use only"' in (root / "etc/default/ovirt").read_text()


def test_too_long_message_is_refused_and_nothing_written(root: Path) -> None:
    with pytest.raises(InvalidChanges) as err:
        engine(root).apply({"motd.message": "x" * 201})
    assert "motd.message" in err.value.errors
    assert not (root / "etc/motd").exists()


def test_cli_and_kernel_argument(root: Path) -> None:
    cli = [sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root)]
    subprocess.run([*cli, "cmdline", '"motd=Welcome to node1"'], check=True, capture_output=True)
    assert (root / "etc/motd").read_text() == "Welcome to node1\n"
    out = subprocess.run([*cli, "get", "motd.message"], check=True, capture_output=True, text=True)
    assert out.stdout == "Welcome to node1\n"
