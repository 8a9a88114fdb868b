"""The Performance page: the tuned profile the node runs with, or none."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.pages import PERFORMANCE
from ovirt_node.ui.page import Divider, Item, KeyValue, Label, Page, PageContext, Row, Table

KEY = "performance.tuned.profile"


def _rows(ctx: PageContext) -> list[Row]:
    """None, then tuned's profiles. Names only: with the summaries a row would not fit the page."""
    from ovirt_node.areas.performance import NONE, available_profiles  # not before the page is shown

    return [Row(NONE, ("None (no tuning)",)), *(Row(p.name, (p.name,)) for p in available_profiles(ctx.node))]


def _active(ctx: PageContext) -> str:
    from ovirt_node.areas.performance import active_profile

    active = active_profile(ctx.node)
    if active is None:
        return "unknown: tuned is not installed"
    return active or "none (tuning is off)"


class PerformancePage(Page):
    name, title, rank = PERFORMANCE.name, PERFORMANCE.title, PERFORMANCE.rank
    help_text = (
        "The tuned profile: kernel, CPU and disk settings for a workload. A hypervisor usually "
        "runs virtual-host.\n"
        "Pick a row with Enter, then Save.")

    def layout(self) -> Sequence[Item]:
        return [
            Label("tuned adapts kernel, CPU and disk settings to a workload; a hypervisor usually runs "
                  "with virtual-host."),
            KeyValue("Active profile", _active),
            Divider(),
            Table(KEY, "Profile:", columns=("Profile",), rows=_rows, height=10),
        ]
