"""Issue 26 in the real `ovirt-node-setup` (and installer) in tmux: F1 on every registered page
in rich, mono and basic looks at 80x24 and 132x43, `?` typed into a text field, the unsaved
changes question and each of its answers, the log viewer at its newest line, and a vt100 /
NO_COLOR terminal getting no colour escapes (and on the vt100 no UTF-8) in the raw output."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from ovirt_node.ui.page import sort_pages
from ovirt_node.ui.plugins import discover
from tests.terminal.test_installer_tmux import installer_command
from tests.terminal.test_setup_tmux import page_title_line
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

#: SGR colour parameters: 30-39/40-49 (and bright 90-97/100-107) anywhere in an SGR sequence.
COLOUR_SGR = re.compile(rb"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
BOX_UTF8 = tuple(ch.encode() for ch in "\u2500\u2502\u250c\u2510\u2514\u2518\u2588\u25b2\u25bc")


def titles() -> list[str]:
    found = [p.title for p in sort_pages(discover().pages)]
    assert len(found) >= 10, "the built-in pages are registered"
    return found


def go_to(tmux: Tmux, title: str) -> None:
    """From the first menu entry down to `title`, waiting for each page on the way."""
    for index, name in enumerate(titles()):
        if index:
            tmux.send("Down")
        tmux.wait(lambda s, t=name: page_title_line(s) == t, what=f"page {name!r}")  # type: ignore[misc]
        if name == title:
            return
    raise AssertionError(f"no page {title!r}")


def f1_on_every_page(tmux: Tmux) -> None:
    tmux.wait_for("F1 help")
    assert "Ctrl-L redraw" in tmux.lines()[-1]
    for index, title in enumerate(titles()):
        if index:
            tmux.send("Down")
        tmux.wait(lambda s, t=title: page_title_line(s) == t, what=f"page {title!r}")  # type: ignore[misc]
        tmux.send("F1")
        screen = tmux.wait_for(f"Help: {title}")
        assert "Keys:" in screen or "F1" in screen, screen
        tmux.send("Escape")
        tmux.wait_gone(f"Help: {title}")


@pytest.mark.parametrize(("env", "args", "size"), [
    ({"TERM": "xterm-256color"}, (), (80, 24)),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, (), (80, 24)),
    ({"TERM": "vt100"}, (), (80, 24)),
    ({"TERM": "xterm-256color"}, ("--basic",), (132, 43)),
], ids=["rich", "mono-no-color", "basic-vt100", "basic-132x43"])
def test_f1_on_every_page(demo_root: Path, env: dict[str, str], args: tuple[str, ...],
                          size: tuple[int, int]) -> None:
    tmux = Tmux(*size)
    try:
        tmux.start(setup_command(demo_root, *args), env)
        f1_on_every_page(tmux)
        tmux.send("?")  # in the menu: help too
        tmux.wait_for(f"Help: {titles()[-1]}")
        tmux.send("Escape")
        tmux.wait_gone("Help:")
    finally:
        tmux.close()


def test_question_mark_types_itself_in_a_text_field(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color"})
    go_to(tmux, "Monitoring")
    tmux.send("Tab")  # into the page: the Server field
    tmux.type("?")
    screen = tmux.wait(lambda s: re.search(r"Server:\s+\?", s) is not None, what="? in the Server field")
    assert "Help:" not in screen
    tmux.send("F1")  # F1 is help even in a text field
    tmux.wait_for("Help: Monitoring")
    tmux.send("Escape")
    tmux.wait_gone("Help: Monitoring")


def _type_server(tmux: Tmux, value: str) -> None:
    tmux.type(value)
    tmux.wait(lambda s: re.search(rf"Server:\s+{re.escape(value)}", s) is not None, what=f"{value} typed")


def test_unsaved_changes_stay_discard_and_save_on_quit(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color"})
    go_to(tmux, "Monitoring")
    after = titles()[titles().index("Monitoring") + 1]
    tmux.send("Tab")
    _type_server(tmux, "stats.example.com")
    tmux.send("BTab")  # back to the menu
    tmux.wait(lambda s: "stats.example.com" in s, what="the typed server kept")
    tmux.send("Down")
    screen = tmux.wait_for("Leave Monitoring without saving?")
    assert "Monitoring: Server" in screen and "< Stay >" in screen and "< Discard >" in screen

    tmux.send("Enter")  # Stay (focused)
    tmux.wait_gone("without saving")
    screen = tmux.wait(lambda s: page_title_line(s) == "Monitoring", what="still on Monitoring")
    assert "stats.example.com" in screen

    tmux.send("Down")
    tmux.wait_for("Leave Monitoring without saving?")
    tmux.send("Left", "Enter")  # Discard
    tmux.wait(lambda s: page_title_line(s) == after, what=f"page {after!r}")
    tmux.send("Up")
    screen = tmux.wait(lambda s: page_title_line(s) == "Monitoring", what="Monitoring again")
    assert "stats.example.com" not in screen and "without saving" not in screen

    tmux.send("Tab")
    _type_server(tmux, "stats.example.com")
    tmux.send("Escape")
    screen = tmux.wait_for("Not saved:")
    assert "Leave the" in screen and "Monitoring: Server" in screen
    tmux.send("Left", "Left", "Enter")  # Save: saves, then quits
    assert tmux.exit_status(timeout=60) == 0
    written = [p for p in (demo_root / "etc").rglob("*") if p.is_file() and b"stats.example.com" in p.read_bytes()]
    assert written, "Save on quit wrote the server"


def test_the_log_viewer_opens_at_the_newest_line(tmux: Tmux, demo_root: Path) -> None:
    log = demo_root / "var/log/ovirt-node/setup.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(f"old entry {n:04d}\n" for n in range(1, 601)))
    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color"})
    tmux.wait_for("F1 help")
    tmux.send("F8")
    tmux.wait(lambda s: page_title_line(s) == "Support", what="the support page")
    tmux.send("Enter")  # the first log: setup.log
    screen = tmux.wait_for("Log setup.log")
    screen = tmux.wait_for("page support shown")  # this run's lines are the newest
    assert "old entry 0001" not in screen
    tmux.send("Home")
    screen = tmux.wait_for("old entry 0001")
    assert "page support shown" not in screen
    tmux.send("End")
    tmux.wait_for("page support shown")
    tmux.send("PageUp")
    tmux.wait_gone("page support shown")


@pytest.mark.parametrize(("env", "ascii_only"), [({"TERM": "vt100"}, True),
                                                 ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False)],
                         ids=["vt100", "no-color"])
def test_raw_output_has_no_colour_escapes(tmux: Tmux, demo_root: Path, tmp_path: Path,
                                          env: dict[str, str], ascii_only: bool) -> None:
    raw = tmp_path / "raw.out"
    tmux.start(["script", "-q", "-f", "-e", "-c", shlex.join(setup_command(demo_root)), str(raw)], env)
    tmux.wait_for("F1 help")
    tmux.send("F1")  # a dialog's box too
    tmux.wait_for("Help: Status")
    tmux.send("Escape")
    tmux.wait_gone("Help: Status")
    tmux.send("Escape")
    tmux.wait_for("Leave the")
    tmux.send("Left", "Enter")
    assert tmux.exit_status() == 0
    data = raw.read_bytes()
    assert b"Help: Status" in data, "the program's output was not recorded"
    assert not COLOUR_SGR.findall(data), f"colour escapes: {sorted(set(COLOUR_SGR.findall(data)))[:5]}"
    if ascii_only:
        assert not [b for b in data if b >= 0x80], "non-ASCII bytes on a vt100"
        assert b"+--" in data and b"|" in data
    else:
        assert any(box in data for box in BOX_UTF8), "NO_COLOR keeps the UTF-8 lines"


def test_colour_terminal_still_gets_colour(tmux: Tmux, demo_root: Path, tmp_path: Path) -> None:
    """The check above can fail: the same run in colour has colour escapes."""
    raw = tmp_path / "raw.out"
    tmux.start(["script", "-q", "-f", "-e", "-c", shlex.join(setup_command(demo_root)), str(raw)],
               {"TERM": "xterm-256color"})
    tmux.wait_for("F1 help")
    tmux.send("Escape")
    tmux.wait_for("Leave the")
    tmux.send("Left", "Enter")
    assert tmux.exit_status() == 0
    assert COLOUR_SGR.search(raw.read_bytes())


def test_installer_f1_and_question_mark(tmux: Tmux, demo_root: Path) -> None:
    tmux.start(installer_command(demo_root, "demo"), {"TERM": "xterm-256color"})
    tmux.wait_for("What to do:")
    footer = tmux.lines()[-1]
    assert "F1 help" in footer and "Ctrl-L redraw" in footer
    tmux.send("C-l")  # redraws; nothing else happens
    tmux.wait_for("What to do:")
    tmux.send("F1")
    screen = tmux.wait_for("Help: Welcome")
    assert "What to do with this machine" in screen
    tmux.send("Escape")
    tmux.wait_gone("Help: Welcome")
    tmux.send("Tab", "Enter")  # Continue to the keyboard screen
    tmux.wait_for("Keymap:")
    tmux.send("?")  # the keymap list's search is a text field: it takes the ?
    screen = tmux.wait_for("Search: ?")
    assert "Help:" not in screen
    tmux.send("BSpace", "Tab")  # to the buttons: there ? is help
    tmux.wait_gone("Search: ?")
    tmux.send("?")
    tmux.wait_for("Help: Keyboard")
    tmux.send("Escape")
    tmux.wait_gone("Help: Keyboard")


def test_status_shows_a_save_made_on_another_page(tmux: Tmux, demo_root: Path) -> None:
    """Status was drawn first; after a save on the Logging page it shows the new destination
    when shown again (it kept the old one until F12)."""
    from tests.terminal.walk import changed, move_to, type_in

    tmux.start(setup_command(demo_root), {"TERM": "xterm-256color"})
    screen = tmux.wait(lambda s: re.search(r"Logs\s+Local only", s) is not None, 30, "Status's logging")
    go_to(tmux, "Logging")
    tmux.send("Tab")
    move_to(tmux, "Server address:")  # rsyslog's
    type_in(tmux, "logs.example.com")
    move_to(tmux, "< Save >")
    tmux.send("Enter")
    tmux.wait_for("Done:", 60)
    tmux.send("Escape")
    tmux.wait_gone("Done:")
    # Shift-Tab walks up the page's fields, then to the menu: the cursor jumps down there.
    where = tmux.focused()
    for _ in range(30):
        tmux.send("BTab")
        now = changed(tmux, where, "Shift-Tab")
        if now[0] > where[0]:
            break
        where = now
    assert page_title_line(tmux.screen()) == "Logging"
    for _ in titles()[:titles().index("Logging")]:
        tmux.send("Up")
    screen = tmux.wait(lambda s: page_title_line(s) == "Status" and "logs.example.com" in s, 30,
                       "Status with the new destination")
    assert re.search(r"Logs\s+rsyslog logs\.example\.com:514", screen), screen
