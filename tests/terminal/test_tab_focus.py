"""Tab, F10 and the focus in the real `ovirt-node-setup` on the demo node (as `make demo` runs
it), at 80x24 in colour and at 132x43 in basic and mono mode (issue 26):

- Tab and Shift-Tab move between the fields and buttons of every Network dialog (Interface,
  Create bond, Add VLAN, Ping), never inside a text field: each Tab moves the cursor to
  another field, reaches OK (or, while OK is greyed, passes it) and comes round again.
- A table is one Tab stop; F10 goes to Save and the footer says so; after a save the focus
  is on a live field, not on the greyed Save.
- Help lines wrap between words.
"""

from __future__ import annotations

import time

import pytest

from ovirt_node.demo.node import DemoNode
from tests.terminal.test_setup_tmux import page_title_line
from tests.terminal.tmux import TMUX, Tmux, setup_command
from tests.terminal.walk import move_to

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

#: (columns, rows, extra arguments): the three looks at the two sizes the issue names.
LOOKS = [pytest.param(80, 24, (), id="80x24-rich"), pytest.param(132, 43, ("--basic",), id="132x43-basic"),
         pytest.param(80, 24, ("--mono",), id="80x24-mono")]


def cursor(tmux: Tmux) -> tuple[int, int, str]:
    """Column and row of the cursor (urwid puts it on the focused widget) and that line."""
    out = tmux._run("capture-pane", "-p", "-t", "main", ";", "display-message", "-p", "-t", "main",
                    "#{cursor_x} #{cursor_y}").stdout.splitlines()
    x, y = (int(n) for n in out[-1].split())
    return x, y, out[y] if y < len(out) - 1 else ""


def tab(tmux: Tmux, key: str = "Tab", timeout: float = 8) -> tuple[int, int, str]:
    """Press Tab (or BTab) and wait for the cursor to move: a Tab that moved nothing, or moved
    the cursor inside a text field, fails here or in the caller's check."""
    was = cursor(tmux)
    tmux.send(key)
    deadline = time.monotonic() + timeout
    while (now := cursor(tmux)) == was:
        if time.monotonic() > deadline:
            raise AssertionError(f"{key} moved nothing from {was}; the screen shows:\n{tmux.screen()}")
        time.sleep(0.02)
    # Under load tmux may be read while urwid is still drawing (the cursor passes other rows):
    # the stop is where the cursor stays.
    while True:
        time.sleep(0.3)
        settled = cursor(tmux)
        if settled == now:
            return now
        now = settled


def start(tmux: Tmux, demo: DemoNode, cols: int, rows: int, args: tuple[str, ...], title: str) -> None:
    tmux.cols, tmux.rows = cols, rows  # the session starts at this size
    tmux.start(setup_command(demo.root, "--bus", demo.bus, *args), {"TERM": "xterm-256color"})
    tmux.wait_for("Running VMs")
    shown = "Status"
    for _ in range(30):
        if shown == title:
            break
        tmux.send("Down")
        shown = page_title_line(tmux.wait(lambda s, was=shown: page_title_line(s) != was,  # type: ignore[misc]
                                          what="the next page"))
    tmux.wait(lambda s: page_title_line(s) == title and "\u2026" not in s and "..." not in s, what=title)
    tmux.send("Tab")


def walk_dialog(tmux: Tmux, title: str) -> list[tuple[int, int, str]]:
    """Tab through the open dialog until the focus comes back where it started; the stops. A
    stop is told by its column and line (a dialog that scrolls moves its rows)."""
    first = cursor(tmux)
    stops = [first]
    for _ in range(40):
        now = tab(tmux)
        if (now[0], now[2]) == (first[0], first[2]):
            return stops
        assert (now[0], now[2]) not in [(s[0], s[2]) for s in stops], f"{title}: Tab went back to {now} early"
        stops.append(now)
    raise AssertionError(f"{title}: Tab never came round; the screen shows:\n{tmux.screen()}")


@pytest.mark.parametrize(("cols", "rows", "args"), LOOKS)
def test_tab_walks_every_network_dialog_between_fields(tmux: Tmux, demo: DemoNode, cols: int, rows: int,
                                                       args: tuple[str, ...]) -> None:
    start(tmux, demo, cols, rows, args, "Network")
    tmux.wait(lambda _s: "Hostname:" in tmux.focused()[1], timeout=10, what="the first field")
    move_to(tmux, "< Ping >")
    # What opens the dialog -> a field that must be one of its Tab stops. The last: Enter on
    # the NIC table's row opens the Interface dialog.
    dialogs = {"< Create bond >": "MII monitor (ms):", "< Add VLAN >": "VLAN ID:", "< Ping >": "Count:",
               " eth0 ": "< Flash lights to identify >"}
    for button, field in dialogs.items():
        move_to(tmux, button, key="Up")
        tmux.send("Enter")
        tmux.wait_for(field)
        tmux.wait(lambda s: "loading" not in s, what="the dialog's rows")
        stops = walk_dialog(tmux, button)
        lines = [line for _x, _y, line in stops]
        # Every stop is a different field or button; OK and Cancel are among them (OK unless
        # it is greyed for now: a Tab never rests on a control that cannot be pressed).
        assert any("< Cancel >" in line for line in lines), (button, lines)
        texts = [line for line in lines if field in line]
        assert texts, (button, lines)
        # Shift-Tab goes the other way: from the first stop to the last.
        back = tab(tmux, "BTab")
        assert (back[0], back[2]) == (stops[-1][0], stops[-1][2]), (button, back, stops[-1])
        tmux.send("Escape")
        tmux.wait_gone(field)


def test_tab_in_a_text_field_moves_to_the_next_field_and_ok_is_reached(tmux: Tmux, demo: DemoNode) -> None:
    start(tmux, demo, 80, 24, (), "Network")
    tmux.wait(lambda _s: "Hostname:" in tmux.focused()[1], timeout=10, what="the first field")
    move_to(tmux, "< Ping >")
    tmux.send("Enter")
    tmux.wait_for("Address:")
    move_to(tmux, "Address:")
    tmux.send("End")
    for _ in range(30):
        tmux.send("BSpace")
    _x, y, _line = cursor(tmux)
    tmux.type("192.0.2.1")
    tmux.wait(lambda _s: "192.0.2.1" in tmux.focused()[1], what="the host typed")
    after = tab(tmux)
    assert after[1] != y, "Tab stayed in the Address field"  # the issue: Tab moved the cursor in the entry
    for _ in range(10):  # on to the dialog's OK, here labelled Ping
        if "< Ping >  < Cancel >" in after[2] and after[0] <= after[2].index("< Ping >") + 3:
            break
        after = tab(tmux)
    else:
        raise AssertionError(f"Tab never reached OK:\n{tmux.screen()}")
    assert "Tab next" in tmux.lines()[-1] and "F10 Ping" in tmux.lines()[-1]
    tmux.send("Escape")
    tmux.wait_gone("Address:")


def test_f10_goes_to_save_and_the_focus_leaves_it_after_the_save(tmux: Tmux, demo: DemoNode) -> None:
    start(tmux, demo, 80, 24, (), "Monitoring")
    tmux.wait(lambda _s: "Server:" in tmux.focused()[1], timeout=10, what="the first field")
    assert "F10 save" in tmux.lines()[-1]
    tmux.send("F10")  # nothing changed yet: the footer says why instead
    tmux.wait(lambda s: "Save is not possible now: No changes to save" in s, what="the reason")
    assert "Server:" in tmux.focused()[1]
    tmux.type("192.0.2.10")
    tmux.wait(lambda _s: "192.0.2.10" in tmux.focused()[1], what="the server typed")
    tmux.send("F10")
    tmux.wait(lambda _s: "< Save >" in tmux.focused()[1], what="the focus on Save")
    tmux.send("Enter")
    tmux.wait_for("Done:", timeout=60)
    tmux.send("Escape")
    tmux.wait_gone("Done:")
    # Save is greyed now; the focus is on a field the operator can use, not on it.
    tmux.wait(lambda _s: "Server:" in tmux.focused()[1], what="the focus off the greyed Save")
    assert "No changes to save" in tmux.screen()


def test_a_table_is_one_tab_stop_and_help_wraps_between_words(tmux: Tmux, demo: DemoNode) -> None:
    start(tmux, demo, 80, 24, (), "Network")
    tmux.wait(lambda _s: "Hostname:" in tmux.focused()[1], timeout=10, what="the first field")
    for label in ("DNS servers:", "Search domains:", "NTP servers:"):
        now = tab(tmux)
        assert label in now[2], (label, now)
    screen = tmux.wait(lambda s: "synchronisation" in s, what="the NTP help")
    # The help line wraps at a space: no word is cut at the edge.
    page = [line.split("\u2502", 1)[-1] for line in screen.splitlines()[2:-1]]
    help_lines = page[page.index(next(line for line in page if "NTP servers (chrony)" in line)):][:2]
    assert " ".join(" ".join(help_lines).split()) == (
        "NTP servers (chrony), comma-separated; off disables time synchronisation")
    table_row = tab(tmux)
    assert "eth0" in table_row[2]  # into the NIC table: its focused row
    after = tab(tmux)  # one Tab leaves the table, however many rows it has
    assert "eth" not in after[2] or "Connections" in after[2], after
