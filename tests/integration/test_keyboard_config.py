"""Keyboard (the console keymap) end to end: `ovirt-node-config` in a real process on a copied
node tree (vconsole.conf through Augeas without a bus), and localed's SetVConsoleKeyboard on a
private bus with our own dbusmock template (dbusmock ships none for localed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.core.root import Root
from ovirt_node.demo.templates import localed_mock
from ovirt_node.system.keymaps import keymaps_on_disk
from tests.dbus_env import MockService
from tests.node_fixtures import REPO, changed_paths, run_config, snapshot


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
    assert "klingon" not in bad.stderr  # said once, on stdout with the result
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


# -- the node itself (root /): the real localectl ---------------------------------------------------

needs_localectl_and_namespaces = pytest.mark.skipif(
    shutil.which("localectl") is None or shutil.which("unshare") is None or os.geteuid() != 0,
    reason="needs localectl (systemd), unshare and root",
)

# In a private mount namespace, a tmpfs on /usr/share holds only the demo root's keymap files: Debian
# packages no keymaps localectl lists (console-data ships `.kmap.gz`; localectl wants `.map*`), and
# the build host's own /usr/share stays untouched. localectl refuses to run at all unless systemd is
# PID 1 (it checks for /run/systemd/system), which a build container is not: a tmpfs on /run/systemd
# with that directory gets it past the check. Then the product's host code path runs.
_LIST_ON_THE_HOST = (
    "import json, logging, os, shutil, subprocess, sys\n"
    "for where in ('/usr/share', '/run/systemd'):\n"
    "    os.makedirs(where, exist_ok=True)\n"
    "    subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', where], check=True)\n"
    "os.mkdir('/run/systemd/system')\n"
    "shutil.copytree(sys.argv[1], '/usr/share/keymaps')\n"
    "logging.basicConfig(level=logging.INFO, stream=sys.stderr)\n"
    "from ovirt_node.system.keymaps import list_keymaps\n"
    "from ovirt_node.core.root import HOST\n"
    "print(json.dumps([[k.name, k.layout] for k in list_keymaps(HOST)]))\n"
)


@needs_localectl_and_namespaces
def test_on_the_node_the_keymaps_are_the_real_localectl_list(node_root: Path, private_bus: str) -> None:
    """`localectl list-keymaps` (it wants a bus even to list files: a private one here) names
    the keymap files it finds; the list is its, with each map's layout family from the files."""
    demo_maps = node_root / "usr/share/keymaps"
    env = {**os.environ, "DBUS_SYSTEM_BUS_ADDRESS": private_bus}
    result = subprocess.run(["unshare", "-m", sys.executable, "-c", _LIST_ON_THE_HOST, str(demo_maps)],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "run: localectl list-keymaps --no-pager" in result.stderr
    assert "listing the keymap files" not in result.stderr  # localectl answered: no fallback
    listed = [tuple(k) for k in json.loads(result.stdout)]
    on_disk = [(k.name, k.layout) for k in keymaps_on_disk(Root.at(node_root))]
    assert sorted(listed) == sorted(on_disk) and len(listed) > 3
