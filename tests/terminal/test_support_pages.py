"""The Support, Diagnostics and Plugins pages in the real `ovirt-node-setup` at 80x24 on the
demo node: a support bundle created from F8, a diagnostic tool's output in the viewer (with
search), and a plugin that raises on import listed as failed while the TUI runs."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import pytest

from ovirt_node.ui.page import sort_pages
from ovirt_node.ui.plugins import discover
from tests.broken_plugin import install_broken_plugin
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

ENV = {"TERM": "xterm-256color"}


def go_to(tmux: Tmux, title: str) -> None:
    """From the first page, down the menu to `title`."""
    titles = [p.title for p in sort_pages(discover().pages)]
    tmux.wait_for("Esc quit")
    tmux.send(*["Down"] * titles.index(title))
    tmux.wait(lambda s: s.splitlines()[1].split("\u2502", 1)[-1].strip() == title, what=f"page {title}")


def dialog_text(screen: str) -> str:
    """The text inside the dialog's frame, its wrapped lines joined again."""
    lines = screen.splitlines()
    top = next(i for i, line in enumerate(lines) if "\u250c" in line)
    left, right = lines[top].index("\u250c"), lines[top].index("\u2510")
    inner = [line[left + 1:right].strip() for line in lines[top + 1:] if len(line) > right]
    return "".join(inner[: next(i for i, t in enumerate(inner) if t.startswith("\u2500"))])


def test_f8_create_support_bundle_shows_the_path(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), env=ENV)
    tmux.wait_for("Esc quit")
    tmux.send("F8")
    tmux.wait_for("Create support bundle")
    tmux.send("Down", "Down", "Down", "Enter")  # past the log, the journal and the kernel messages
    screen = tmux.wait_for("Support bundle written")
    (written,) = (demo_root / "data/support").glob("ovirt-node-support-demo-node.example.com-*.tar.gz")
    assert str(written) in dialog_text(screen)
    assert "secrets removed" in screen and stat.S_IMODE(written.stat().st_mode) == 0o600
    with tarfile.open(written) as tar:
        names = {m.name.split("/", 1)[1] for m in tar.getmembers()}
    assert {"manifest.json", "files/etc/default/ovirt", "logs/var/log/ovirt-node/setup.log"} <= names
    tmux.send("Enter")
    tmux.wait_gone("Support bundle written")
    tmux.wait_for("Newest bundle")
    assert "none yet" not in tmux.screen()


def test_diagnostics_row_opens_the_viewer_and_searches(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), env=ENV)
    go_to(tmux, "Diagnostics")
    screen = tmux.wait_for("host only")
    assert "Block devices   lsblk" in screen and "Failed units    systemctl --failed" in screen
    tmux.send("Tab", "Enter")  # into the page: the first row
    tmux.wait_for("Block devices: lsblk")
    tmux.type("/node")
    tmux.send("Enter")
    tmux.wait_for("line 1 of 1")
    tmux.send("Escape")
    tmux.wait_gone("Block devices: lsblk")


def test_a_plugin_that_raises_on_import_is_listed_and_the_tui_runs(tmux: Tmux, demo_root: Path,
                                                                   tmp_path: Path) -> None:
    site = install_broken_plugin(tmp_path / "site")
    tmux.start(setup_command(demo_root), env={**ENV, "PYTHONPATH": str(site)})
    go_to(tmux, "Plugins")
    screen = tmux.wait_for("Plugins that failed to load (1):")
    assert "broken             ovirt-node-broken-demo 0.1" in screen
    assert "failed: RuntimeError: this plugin fails on purpose" in screen
    tmux.send("Tab", "Enter")
    tmux.wait_for("Traceback")
    tmux.send("Escape")
    tmux.wait_gone("Traceback")
