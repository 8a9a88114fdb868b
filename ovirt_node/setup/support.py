"""The Support page (F8): the node's logs, this boot's journal and the kernel messages, each in
a viewer that scrolls and searches (`/`, then `n`). Reading runs in a worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from ovirt_node.system import diagnostics
from ovirt_node.ui.page import Button, Divider, Item, Label, Page, PageUI


class SupportPage(Page):
    name = "support"
    title = "Support"
    rank = 990  # last, as 3.x (which hid it from the menu; here F8 and the menu both reach it)
    editable = False

    def layout(self) -> Sequence[Item]:
        root = self.ctx.root
        logs: list[Item] = [
            Button(f"Log: {path.name}", self._viewer(f"Log {path.name}", partial(diagnostics.tail, path)))
            for path in diagnostics.node_logs(root)
        ] or [Label("(no node logs yet)")]
        return [
            Label("Logs and diagnostic output of this node. In a viewer, / finds text and n the next match."),
            Divider(),
            *logs,
            Divider(),
            Button("Journal (this boot)", self._viewer("Journal", lambda: diagnostics.journal(root))),
            Button("Kernel messages", self._viewer("Kernel messages", lambda: diagnostics.kernel_messages(root))),
        ]

    @staticmethod
    def _viewer(title: str, read: Callable[[], str]) -> Callable[[PageUI], None]:
        def open_viewer(ui: PageUI) -> None:
            ui.run_in_worker(read, lambda text: ui.show_text(title, str(text)))

        return open_viewer
