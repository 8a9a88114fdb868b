"""The Support page (F8): the node's logs, this boot's journal and the kernel messages, each in
a viewer that scrolls and searches (`/`, then `n`), and "Create support bundle": a redacted
.tar.gz of the logs, settings, managed config files and tool outputs for whoever helps.
Reading and collecting run in a worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from ovirt_node.pages import SUPPORT
from ovirt_node.ui.page import Button, Divider, Item, KeyValue, Label, Page, PageContext, PageUI


def _newest_bundle(ctx: PageContext) -> str:
    from ovirt_node.report.bundle import SUPPORT_DIR, bundles

    found = bundles(ctx.root)
    return str(found[0]) if found else f"none yet (bundles go to {ctx.root(SUPPORT_DIR)})"


class SupportPage(Page):
    name, title, rank = SUPPORT.name, SUPPORT.title, SUPPORT.rank
    help_text = (
        "The node's logs, this boot's journal and the kernel messages, each in a viewer that "
        "opens at the newest line; Create support bundle writes a .tar.gz of logs, settings and "
        "tool output with passwords and keys removed, for whoever helps.\n"
        "F8 comes here from any page.")
    editable = False

    def layout(self) -> Sequence[Item]:
        from ovirt_node.report import diagnostics  # not before the page is shown

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
            Divider(),
            Button("Create support bundle", self.create_bundle),
            Label("(the logs, settings, configuration files and diagnostic tool output, passwords and keys removed)"),
            KeyValue("Newest bundle", _newest_bundle),
        ]

    @staticmethod
    def _viewer(title: str, read: Callable[[], str]) -> Callable[[PageUI], None]:
        def open_viewer(ui: PageUI) -> None:
            ui.run_in_worker(read, lambda text: ui.show_text(title, str(text), at_end=True))

        return open_viewer

    def create_bundle(self, ui: PageUI) -> None:
        from ovirt_node.core import explain
        from ovirt_node.report import bundle

        root, sections = self.ctx.root, list(self.ctx.engine.sections.values())

        def done(result: object) -> None:
            if isinstance(result, bundle.Bundle):
                ui.reload()  # "Newest bundle" shows it too
                ui.info("Support bundle written",
                        f"{result.path}\n\n{result.members} files; secrets removed: {result.redactions}. "
                        "Copy it off the node, e.g. with scp as the admin user.")
            else:
                failed = result if isinstance(result, BaseException) else RuntimeError(str(result))
                ui.info("No support bundle", explain.sentence("Writing the bundle", failed))

        ui.run_in_worker(lambda: bundle.create(root, sections), done)
