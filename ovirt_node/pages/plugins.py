"""The Plugins page: what extends this node's setup, and what failed to load and why.

One row per installed plugin (entry point name, source package and version, and the entry point
under it); Enter shows the details: what it adds, and for a failed plugin the reason and its
traceback.
Failures come first: they are what an operator opens this page for. It is registered through
the `ovirt_node.plugins` entry point group like any third-party page (so it lists itself).
Discovery runs when the page is built, so F12 shows a fresh list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ovirt_node.pages import PLUGINS
from ovirt_node.ui.page import Button, Divider, Item, Label, Page, PageUI
from ovirt_node.ui.plugins import PluginInfo, discover

NAME_WIDTH = 18


def _details(info: PluginInfo, reason: str = "") -> str:
    lines = [
        f"Name:          {info.name}",
        f"Package:       {info.distribution} {info.version}",
        f"Entry point:   {info.value}",
    ]
    if reason:
        lines += [f"Failed:        {reason}", "", info.trace.rstrip()]
    else:
        lines.append(f"Adds:          {', '.join(info.provides) or 'nothing'}")
    return "\n".join(lines)


def _show(info: PluginInfo, reason: str = "") -> Callable[[PageUI], None]:
    return lambda ui: ui.show_text(f"Plugin {info.name}", _details(info, reason))


def _row(info: PluginInfo) -> str:
    return f"{info.name:<{NAME_WIDTH}} {info.distribution} {info.version}"


class PluginsPage(Page):
    name, title, rank = PLUGINS.name, PLUGINS.title, PLUGINS.rank
    help_text = (
        "The plugins installed on this node: each one's name, version and what it adds; those "
        "that failed to load, with the reason.\n"
        "Enter on a plugin shows its details.")
    editable = False

    def layout(self) -> Sequence[Item]:
        found = discover()
        items: list[Item] = []
        if found.failures:
            items += [Label(f"Plugins that failed to load ({len(found.failures)}):")]
            for info, reason in found.failures:
                items += [Button(_row(info), _show(info, reason)), Label(f"  {info.value}"),
                          Label(f"  failed: {reason}")]
            items.append(Divider())
        items.append(Label(f"Loaded plugins ({len(found.loaded)}); Enter shows the details:"))
        for info in found.loaded:
            items += [Button(_row(info), _show(info)), Label(f"  {info.value}")]
        if not found.loaded:
            items.append(Label("none"))
        if not found.failures:
            items += [Divider(), Label("Every installed plugin loaded.")]
        return items
