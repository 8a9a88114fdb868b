"""What the setup TUI leaves for later to keep its first screen quick (the budget is in
`make bench`): the sections and the pages' heavy modules load when a page or the engine
first needs them (the Status page's two are read in a thread while the UI loads), and
importlib.metadata not at all."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pexpect

from ovirt_node.areas.registry import builtin_section, builtin_sections
from ovirt_node.cli.setup import FIRST_SCREEN_SECTIONS
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.model import Section
from ovirt_node.core.root import Root
from tests.node_fixtures import REPO, node_root

__all__ = ["node_root"]

# The real start (tty check, logging, machine, plugins, engine, the Status page), stopped once
# the first screen is rendered: what is imported by then is what the operator waited for.
FIRST_SCREEN = """
import sys
from ovirt_node.ui.app import Application

def first_screen(self):
    assert "Status" in self.text() and "Network" in self.text()
    print("MODULES", " ".join(sorted(sys.modules)), "END")

Application.run = first_screen
from ovirt_node.cli.setup import main
sys.exit(main(sys.argv[1:]))
"""


def test_the_first_screen_needs_no_section_module_and_no_importlib_metadata(node_root: Path) -> None:
    child = pexpect.spawn(sys.executable, ["-c", FIRST_SCREEN, "--root", str(node_root), "--machine", "demo", "--demo"],
                          cwd=str(REPO), env={"TERM": "xterm-256color", "PATH": "/usr/bin:/bin"}, encoding="utf-8",
                          dimensions=(24, 80), timeout=30)
    child.expect(r"MODULES (.*) END")
    modules = set(str(child.match.group(1)).split())
    child.expect(pexpect.EOF)
    assert "ovirt_node.pages.status" in modules and "ovirt_node.pages.network.page" in modules  # the pages are there
    section_modules = {type(s).__module__ for s in builtin_sections()}
    assert len(section_modules) >= 8
    # The Status page's own sections are read in a thread meanwhile (cli/setup.py's warm-up),
    # which may or may not have imported them yet; no other section is.
    warmed = {type(builtin_section(name)).__module__ for name in FIRST_SCREEN_SECTIONS}
    later = {*(section_modules - warmed), "ovirt_node.core.steps", "importlib.metadata"}
    assert not modules & later


class Counted(Section):
    name = "counted"
    keys = ()


def test_the_engine_builds_lazy_sections_once_when_first_needed(tmp_path: Path) -> None:
    calls: list[int] = []
    ready = threading.Barrier(4)

    def make() -> list[Section]:
        calls.append(1)
        return [*builtin_sections(), Counted()]

    engine = Engine(Context(root=Root.at(tmp_path)), make)
    assert not calls
    seen: list[bool] = []

    def ask() -> None:
        ready.wait()
        seen.append("ssh.port" in engine.keys and "counted" in engine.sections)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [True] * 4 and calls == [1]
