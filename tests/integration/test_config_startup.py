"""`ovirt-node-config get` and `show` load the engine, not the UI, and write nothing: no urwid, no setup page, no
plugin page module (the built-in pages are this distribution's own entry points, never loaded
to find sections)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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
