"""Keyboard (the console keymap) end to end: `ovirt-node-config` in a real process on a copied
node tree (vconsole.conf through Augeas without a bus), and localed's SetVConsoleKeyboard on a
private bus with our own dbusmock template (dbusmock ships none for localed)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.system.keymaps import keymaps_on_disk
from ovirt_node.system.mocks import localed_mock
from ovirt_node.system.root import Root
from tests.dbus_env import MockService
from tests.node_fixtures import changed_paths, run_config, snapshot


def get(root: Path) -> str:
    return run_config("--root", str(root), "get", "keyboard.keymap", check=True).stdout.strip()


def test_keymap_is_written_through_augeas_and_read_back(node_root: Path) -> None:
    vconsole = node_root / "etc/vconsole.conf"
    vconsole.write_text('# console settings\nKEYMAP="us"\nFONT=eurlatgr\n')
    assert get(node_root) == "us"
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "keyboard.keymap=de-latin1-nodeadkeys")
    assert result.returncode == 0, result.stderr
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", "/etc/vconsole.conf"}
    assert vconsole.read_text() == "# console settings\nKEYMAP=de-latin1-nodeadkeys\nFONT=eurlatgr\n"
    assert 'OVIRT_KEYBOARD_LAYOUT="de-latin1-nodeadkeys"' in (node_root / "etc/default/ovirt").read_text()
    assert get(node_root) == "de-latin1-nodeadkeys"  # a fresh process, from the file


def test_missing_vconsole_conf_is_created(node_root: Path) -> None:
    (node_root / "etc/vconsole.conf").unlink()
    assert get(node_root) == "us"  # built-in default
    run_config("--root", str(node_root), "set", "keyboard.keymap=fr", check=True)
    assert (node_root / "etc/vconsole.conf").read_text() == "KEYMAP=fr\n"


@pytest.mark.parametrize(("value", "message"), [
    ("xx", "invalid keyboard.keymap: no keymap 'xx' is installed on this node"),
    ("qwerty-layout", "invalid keyboard.keymap: no keymap 'qwerty-layout' is installed"),  # an include file
    ("de latin1", "invalid keyboard.keymap: must be a console keymap name"),
    ("../us", "invalid keyboard.keymap: must be a console keymap name"),
])
def test_keymap_that_does_not_exist_exits_2_and_writes_nothing(node_root: Path, value: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", f"keyboard.keymap={value}")
    assert result.returncode == 2
    assert message in result.stderr and "Nothing was changed." in result.stderr
    assert snapshot(node_root) == before


def test_kernel_argument_keyboard(node_root: Path) -> None:
    run_config("--root", str(node_root), "cmdline", "keyboard=be-latin1", check=True)
    assert get(node_root) == "be-latin1"
    before = snapshot(node_root)
    bad = run_config("--root", str(node_root), "cmdline", "keyboard=klingon")
    assert bad.returncode == 0
    assert "skipped: keyboard=klingon: keyboard.keymap: no keymap 'klingon' is installed" in bad.stdout
    assert "kernel argument keyboard=klingon skipped" in bad.stderr
    assert snapshot(node_root) == before


# -- localed over a private D-Bus ---------------------------------------------------------------

@pytest.fixture
def localed(private_bus: str, node_root: Path) -> Iterator[MockService]:
    """localed knowing the demo root's keymaps but "sk-qwertz", writing vconsole.conf as it does."""
    names = [k.name for k in keymaps_on_disk(Root.at(node_root)) if k.name != "sk-qwertz"]
    with localed_mock(private_bus, "us", names, node_root, toggle="ru") as service:
        yield service


def calls(service: MockService) -> list[tuple[str, list[str]]]:
    return [(str(name), [str(a) for a in args]) for _t, name, args in service.mock.GetCalls()]


def test_keymap_is_set_through_localed(node_root: Path, localed: MockService) -> None:
    result = run_config("--root", str(node_root), "--bus", localed.address, "set", "keyboard.keymap=fr-latin9")
    assert result.returncode == 0, result.stderr
    assert "Set the console keymap to fr-latin9: done" in result.stdout
    # keymap, the toggle keymap kept, no X11 conversion, no polkit question
    assert ("SetVConsoleKeyboard", ["fr-latin9", "ru", "0", "0"]) in calls(localed)
    assert get(node_root) == "fr-latin9"  # what localed wrote, read back without the bus


def test_localed_refusing_rolls_back(node_root: Path, localed: MockService) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "--bus", localed.address, "set", "keyboard.keymap=sk-qwertz")
    assert result.returncode == 3
    assert "Keymap sk-qwertz is not installed." in result.stderr and "rolled back" in result.stderr
    assert snapshot(node_root) == before
    assert [name for name, _args in calls(localed)].count("SetVConsoleKeyboard") == 1  # nothing to undo
