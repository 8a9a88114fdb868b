"""The Diagnostics page: a table of inspection tools (block devices, partitions, multipath,
LVM, network, NIC details, kernel messages, failed units). Pressing a row runs the tool in a
worker (with a timeout) and shows its output in the viewer (`/` finds, `n` finds again).

A tool that is not installed says so in its row; under a root prefix (the demo, an installer
target) the rows are marked "host only" and not run: they would describe the computer the
program runs on, not the node tree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ovirt_node.pages import DIAGNOSTICS
from ovirt_node.ui.page import Button, Divider, Item, Label, Page, PageUI

if TYPE_CHECKING:
    from ovirt_node.report.diagnostics import Tool

TITLE_WIDTH, SHOWS_WIDTH, STATE_WIDTH = 16, 19, 13
HOST_ONLY, NOT_INSTALLED = "host only", "not installed"


def _row(title: str, shows: str, state: str) -> str:
    """Columns padded alike, so the buttons line up as a table."""
    return f"{title:<{TITLE_WIDTH}}{shows:<{SHOWS_WIDTH}}{state:<{STATE_WIDTH}}"


class DiagnosticsPage(Page):
    name, title, rank = DIAGNOSTICS.name, DIAGNOSTICS.title, DIAGNOSTICS.rank
    help_text = (
        "Diagnostic tools of the node (the same 3.x offered); Enter on a row runs the tool and "
        "shows its output in a viewer.")
    editable = False

    def layout(self) -> Sequence[Item]:
        from ovirt_node.report.diagnostics import TOOLS  # not before the page is shown

        root = self.ctx.root
        note = ("Enter runs a tool and shows its output; in the viewer / finds text and n the next match."
                if root.is_host else
                f"Root prefix {root}: these tools describe the running system, so they only run on the node "
                "itself; here each says what it would show.")
        rows: list[Item] = [Label(note), Divider(), Label("  " + _row("Tool", "Command", "State").rstrip())]
        for tool in TOOLS:
            state = HOST_ONLY if not root.is_host else "" if tool.installed() else NOT_INSTALLED
            rows.append(Button(_row(tool.title, tool.shows, state), self._runner(tool)))
        return rows

    def _runner(self, tool: Tool) -> Callable[[PageUI], None]:
        from ovirt_node.report.diagnostics import run_tool

        root = self.ctx.root

        def run_it(ui: PageUI) -> None:
            ui.run_in_worker(lambda: run_tool(tool, root),
                             lambda text: ui.show_text(f"{tool.title}: {tool.shows}", str(text)))

        return run_it
