"""The Monitoring, Performance and Keyboard pages in the real setup TUI (tmux, 80x24) on the demo
node `make demo` runs (its private D-Bus with mock systemd, tuned and localed): change a value,
Save, watch the progress dialog, close it, F12, and the page shows the new value from the system."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ovirt_node.demo.node import DemoNode, demo_node
from tests.terminal.tmux import TMUX, Tmux, setup_command

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]


@pytest.fixture
def node() -> Iterator[DemoNode]:
    with demo_node() as demo:
        yield demo


def title(screen: str) -> str:
    lines = screen.splitlines()
    return lines[1].split("\u2502", 1)[-1].strip() if len(lines) > 1 else ""


def open_page(tmux: Tmux, node: DemoNode, name: str) -> None:
    """Start the TUI on the demo node and walk the menu down to the page `name`."""
    tmux.start(setup_command(node.root, "--bus", node.bus), {"TERM": "xterm-256color"})
    shown = title(tmux.wait_for("demo-node.example.com"))
    for _ in range(20):  # one menu entry at a time: the menu order is the pages' ranks
        if shown == name:
            break
        tmux.send("Down")
        shown = title(tmux.wait(lambda s, was=shown: title(s) != was, what="the next page"))  # type: ignore[misc]
    assert shown == name
    tmux.wait(lambda s: "\u2026" not in s.split("\n", 1)[1], what="the page's values")


def save_and_reload(tmux: Tmux, step: str) -> str:
    """Save is focused: press it, see the step done in the progress dialog, close it, F12."""
    tmux.send("Enter")
    tmux.wait_for(f"{step}: done")
    tmux.wait_for("Done:")
    tmux.send("Escape")
    tmux.wait_gone("Done:")
    tmux.send("F12")
    return tmux.wait_for("Reloaded")


def test_monitoring_page(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "Monitoring")
    tmux.send("Tab")  # into the page: Server
    tmux.type("192.0.2.10")
    tmux.wait_for("Server:            192.0.2.10")
    tmux.send("Down", "Down")  # Port, then Save
    screen = save_and_reload(tmux, "Configure collectd's network plugin")
    assert "Restart collectd.service" not in screen  # the dialog is closed
    assert "Server:            192.0.2.10" in screen and "Port:              25826" in screen
    assert '"192.0.2.10"' in (node.root / "etc/collectd/collectd.conf").read_text()


def test_performance_page(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "Performance")
    tmux.wait_for("Active profile     virtual-host")
    tmux.send("Tab")  # into the table, on the active profile (the last row)
    tmux.send("Up", "Enter")  # virtual-guest
    tmux.wait_for("(\u2022) virtual-guest")
    tmux.send("Down", "Down")  # the last row, then Save
    save_and_reload(tmux, "Switch tuned to the profile virtual-guest")
    # The reload says "Reloaded" before its worker has refilled the table: wait for the rows.
    tmux.wait(lambda s: "Active profile     virtual-guest" in s and "(\u2022) virtual-guest" in s,
              what="the reloaded profile")
    assert (node.root / "etc/tuned/active_profile").read_text() == "virtual-guest\n"  # written by "tuned"


def test_keyboard_page(tmux: Tmux, node: DemoNode) -> None:
    open_page(tmux, node, "Keyboard")
    tmux.send("Tab")  # into the search entry
    tmux.type("fr-lat")
    tmux.wait_for("Search: fr-lat")
    screen = tmux.wait(lambda s: "(us)" not in s and "French (fr-latin9)" in s, what="the filtered rows")
    assert "fr-latin1" in screen and "de-latin1" not in screen
    tmux.send("Enter")  # picks the first row starting with it
    tmux.wait_for("(\u2022) French (fr-latin1)")
    tmux.send("Down", "Down", "Down")  # fr-latin1, fr-latin9, then Save
    save_and_reload(tmux, "Set the console keymap to fr-latin1")
    tmux.wait_for("(\u2022) French (fr-latin1)")  # the reloaded table is filled by a worker, after "Reloaded"
    assert "KEYMAP=fr-latin1" in (node.root / "etc/vconsole.conf").read_text()  # written by "localed"
