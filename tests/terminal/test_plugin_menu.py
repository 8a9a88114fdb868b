"""The example plugin, installed for real (pip --target), in the real TUI: its page is in
the menu, edits and saves through the engine; without it installed, the page is gone."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.ui.plugins import discover
from tests.node_fixtures import REPO
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

EXAMPLE = REPO / "examples" / "ovirt-node-plugin-motd"


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`make test` installs the example into build/example-plugin first; else install it here."""
    built = REPO / "build" / "example-plugin"
    if list(built.glob("ovirt_node_plugin_motd-*.dist-info")):
        return built
    target = tmp_path_factory.mktemp("plugin")
    result = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target),
                             str(EXAMPLE)], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot install the example plugin: {result.stderr.strip()[-200:]}")
    return target


def menu(screen: str) -> list[str]:
    return [line[:16].strip() for line in screen.splitlines()[1:-1] if line[:16].strip()]


def builtin_menu(plus: tuple[int, str] | None = None) -> list[str]:
    """The built-in pages' titles in menu order, with `plus` (rank, title) put in its place."""
    entries = [(p.rank, p.title) for p in discover().pages]
    entries += [plus] if plus else []
    return [title for _rank, title in sorted(entries, key=lambda e: (e[0], e[1].lower()))]


def test_installed_plugin_page_is_in_the_menu_and_saves(tmux: Tmux, demo_root: Path, plugin_dir: Path) -> None:
    tmux.start(setup_command(demo_root), env={"TERM": "xterm-256color", "PYTHONPATH": str(plugin_dir)})
    screen = tmux.wait_for("Login Message")
    expected = builtin_menu((200, "Login Message"))
    assert menu(screen) == expected
    tmux.send(*["Down"] * expected.index("Login Message"))
    tmux.wait_for("The message every user sees")
    tmux.send("Tab")  # from the menu into the page: the first field
    tmux.type("  Welcome")
    tmux.wait_for("must not start or end with spaces")
    tmux.wait_for("Fix the marked fields to save")
    tmux.send("Home", "Delete", "Delete")
    tmux.wait_gone("must not start or end with spaces")
    tmux.send("Down", "Down")  # to Save
    tmux.send("Enter")
    tmux.wait_for("Write the login message: done")
    assert (demo_root / "etc/motd").read_text() == "Welcome\n"
    tmux.send("Escape")
    tmux.wait_for("Now in /etc/motd   Welcome")


def test_uninstalled_plugin_is_not_in_the_menu(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), env={"TERM": "xterm-256color"})
    screen = tmux.wait_for("Plugins")
    assert menu(screen) == builtin_menu()
    assert "Login Message" not in menu(screen)
