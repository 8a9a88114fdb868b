"""The Kdump page: where crash dumps go. Only the fields of the chosen mode are enabled."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ovirt_node.pages import KDUMP
from ovirt_node.ui.page import Choice, Divider, Entry, Item, KeyValue, Label, Page, PageContext, Values

MODES = (
    ("disabled", "Disabled"),
    ("local", "Local (the Data volume)"),
    ("nfs", "NFS"),
    ("ssh", "SSH"),
)


def _when(mode: str) -> Callable[[Values], bool]:
    return lambda values: values.get("kdump.mode") == mode


def _service(ctx: PageContext) -> str:
    from ovirt_node.areas.kdump import service_state  # not before the page is shown
    from ovirt_node.core.platform import detect

    engine_ctx = ctx.node
    unit = detect(ctx.root).unit("kdump")
    return f"{unit}: {service_state(engine_ctx, unit)}"


def _state(label: str) -> Callable[[PageContext], str]:
    def value(ctx: PageContext) -> str:
        from ovirt_node.areas.kdump_state import node_summary

        return node_summary(ctx.engine)[label]

    return value


class KdumpPage(Page):
    name, title, rank = KDUMP.name, KDUMP.title, KDUMP.rank
    help_text = (
        "Where crash dumps of the node's kernel go: off, a local directory, an NFS share or an "
        "SSH host (with a key fetched from a URL).\n"
        "Saving reloads the crash kernel; no reboot is needed.")

    def layout(self) -> Sequence[Item]:
        # The crash kernel's state first, and short: the page fits 80x24, where Down from the
        # last field reaches Save (on a taller page it would scroll first).
        return [
            Label("Where crash dumps go. Saving reloads the crash kernel (no reboot)."),
            KeyValue("Service", _service),
            KeyValue("Crash kernel", _state("Crash kernel")),
            KeyValue("Reserved memory", _state("Reserved memory")),
            KeyValue("Last dump", _state("Last dump")),
            Divider(),
            Choice("kdump.mode", "Dump to:", options=MODES),
            Divider(),
            Entry("kdump.local_path", "Local directory:", enabled_when=_when("local")),
            Entry("kdump.nfs_location", "NFS location:", enabled_when=_when("nfs"),
                  help="NFS export, host:/path (e.g. example.com:/var/crash)"),
            Entry("kdump.ssh_location", "SSH location:", enabled_when=_when("ssh"),
                  help="user@host (e.g. root@example.com)"),
            Entry("kdump.ssh_key", "SSH key URL:", enabled_when=_when("ssh"),
                  help="optional: http, https or file URL of the private key kdump logs in with"),
        ]
