"""The Plugins page: what extends this node's setup, and what failed to load and why.

It is registered through the `ovirt_node.plugins` entry point group like any third-party page
(so it lists itself). Discovery runs when the page is built, so F12 shows a fresh list.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.plugins import PluginInfo, discover
from ovirt_node.ui.page import Divider, Item, Label, Page


def _plugin(info: PluginInfo) -> list[Item]:
    return [Label(f"{info.name}: {info.distribution} {info.version}"), Label(f"  entry point {info.value}")]


class PluginsPage(Page):
    name = "plugins"
    title = "Plugins"
    rank = 300
    editable = False

    def layout(self) -> Sequence[Item]:
        found = discover()
        items: list[Item] = [Label(f"Loaded plugins ({len(found.loaded)}):"), Divider()]
        for info in found.loaded:
            items += _plugin(info)
        if not found.loaded:
            items.append(Label("none"))
        items += [Divider(), Label(f"Plugins that failed to load ({len(found.failures)}):"), Divider()]
        for info, reason in found.failures:
            items += [*_plugin(info), Label(f"  failed: {reason}")]
        if not found.failures:
            items.append(Label("none"))
        return items
