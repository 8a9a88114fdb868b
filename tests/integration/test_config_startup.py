"""`ovirt-node-config get` and `show` load the engine, not the UI, and write nothing: no urwid, no setup page, no
plugin page module (the built-in pages are this distribution's own entry points, never loaded
to find sections)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.broken_plugin import install_broken_plugin

PROBE = """
import sys
from ovirt_node.cli.config import main
code = main(sys.argv[1:])
ui = sorted(m for m in sys.modules if m.split(".")[0] == "urwid" or m.startswith(("ovirt_node.ui", "ovirt_node.pages")))
print("LOADED", " ".join(ui) or "-", "EXIT", code)
"""


@pytest.mark.parametrize("command", [["get", "ssh.port"], ["show"], ["show", "--json", "network"]])
def test_reading_settings_loads_no_ui(node_root: Path, command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, "--root", str(node_root), *command],
                            capture_output=True, text=True, timeout=60)
    last = result.stdout.strip().splitlines()[-1]
    assert last == "LOADED - EXIT 0", result.stdout + result.stderr
    # A read with no interrupted change to finish takes no lock: nothing is written.
    assert not (node_root / "run").exists()


MODULES = """
import sys
from ovirt_node.cli.config import main
code = main(sys.argv[1:])
print("MODULES", " ".join(sorted(sys.modules)), "EXIT", code)
"""


def loaded_by(node_root: Path, *command: str) -> tuple[set[str], str]:
    result = subprocess.run([sys.executable, "-c", MODULES, "--root", str(node_root), *command],
                            capture_output=True, text=True, timeout=60)
    words = result.stdout.strip().splitlines()[-1].split()
    assert words[0] == "MODULES" and words[-2] == "EXIT", result.stdout + result.stderr
    return set(words[1:-2]), words[-1]


#: One key of each built-in area.
ONE_KEY_EACH = ["ssh.port", "security.strong_rng", "logging.rsyslog.server", "keyboard.keymap", "kdump.mode",
                "iscsi.initiator_name", "nfsv4.domain", "monitoring.collectd.server", "performance.tuned.profile",
                "network.hostname", "lifecycle.report_url"]
#: The areas whose read needs nothing of what a change does (steps, transactions, platforms).
#: (logging reads the platform: where netconsole's setting lives differs between EL and Debian.)
PURE_READS = {"ssh", "iscsi", "lifecycle"}


def test_one_key_of_every_area_is_tried() -> None:
    from ovirt_node.areas.registry import BUILTIN

    assert sorted(key.partition(".")[0] for key in ONE_KEY_EACH) == sorted(BUILTIN)


@pytest.mark.parametrize("key", ONE_KEY_EACH)
def test_get_of_a_builtin_key_imports_its_area_alone(node_root: Path, key: str) -> None:
    """`get KEY` is a read of its own area: no other area, no plugin discovery, no YAML, none
    of the change commands; for a plain area not even the steps and transactions."""
    from ovirt_node.areas.registry import BUILTIN

    modules, code = loaded_by(node_root, "get", key)
    assert code == "0"
    area = key.partition(".")[0]
    areas = {name: spec.partition(":")[0] for name, spec in BUILTIN.items()}
    assert modules & set(areas.values()) == {areas[area]}
    assert not modules & {"yaml", "urwid", "importlib.metadata", "ovirt_node.core.entrypoints",
                          "ovirt_node.cli.config_change"}
    if area in PURE_READS:
        assert not modules & {"ovirt_node.core.transaction", "ovirt_node.core.steps", "ovirt_node.core.journal",
                              "ovirt_node.core.platform", "subprocess"}


def test_get_of_an_unknown_key_looks_at_every_section(node_root: Path) -> None:
    """A typo gets its hint from every key, as before: all sections are loaded for it."""
    modules, code = loaded_by(node_root, "get", "network.hostnme")
    assert code == "2"
    assert {"ovirt_node.areas.ssh", "ovirt_node.network.section", "ovirt_node.core.entrypoints"} <= modules


#: A plugin as pip installs one: a section with one key, read from /etc/greeting.
GREETING_MODULE = '''
from dataclasses import dataclass
from ovirt_node.api import Key, Kind, Section, Text

@dataclass(frozen=True)
class Settings:
    text: str

class Greeting(Section):
    name = "greeting"
    title = "Greeting"
    settings = Settings
    keys = (Key("greeting.text", None, Text(), Kind.TEXT, "hello", "a plugin's key"),)

    def read(self, ctx):
        path = ctx.root("/etc/greeting")
        return {"greeting.text": path.read_text().strip()} if path.exists() else {}

def sections():
    return [Greeting()]
'''


def plugin_site(tmp_path: Path) -> Path:
    """A folder with a working plugin (greeting) and one that fails on import (broken)."""
    site = install_broken_plugin(tmp_path / "site")
    (site / "ovirt_node_greeting.py").write_text(GREETING_MODULE)
    info = site / "ovirt_node_greeting-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ovirt-node-greeting\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ovirt_node.plugins]\ngreeting = ovirt_node_greeting\n")
    return site


def config(site: Path, node_root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "import sys; from ovirt_node.cli.config import main; sys.exit(main())",
                           "--root", str(node_root), *args], capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})


def test_a_plugins_key_is_found_by_discovering_the_plugins(node_root: Path, tmp_path: Path) -> None:
    """`get` of a key no built-in area has loads the plugins, as before: the plugin's value,
    its did-you-mean, and the broken plugin reported on stderr; a built-in key needs none of it."""
    site = plugin_site(tmp_path)
    (node_root / "etc/greeting").write_text("hi there\n")
    got = config(site, node_root, "get", "greeting.text")
    assert (got.returncode, got.stdout) == (0, "hi there\n")
    assert "plugin broken (ovirt_node_broken_demo:plugin) skipped" in got.stderr
    typo = config(site, node_root, "get", "greeting.txt")
    assert typo.returncode == 2
    assert "invalid greeting.txt: unknown key (did you mean greeting.text?" in typo.stderr
    builtin = config(site, node_root, "get", "ssh.port")
    assert (builtin.returncode, builtin.stdout, builtin.stderr) == (0, "22\n", "")  # no plugin was imported


def test_reading_the_network_imports_no_steps(node_root: Path) -> None:
    """The network area reads its keyfiles and files; what a change does (steps, NetworkManager
    activation) is imported only when a change is planned."""
    modules, code = loaded_by(node_root, "get", "network.hostname")
    assert code == "0"
    assert not modules & {"ovirt_node.core.steps", "ovirt_node.network.apply", "ovirt_node.core.transaction"}
