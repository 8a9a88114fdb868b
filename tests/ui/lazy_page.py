"""A page for tests/ui/test_page_refs.py, imported only when the menu shows it."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.ui.page import Item, Label, Page


class LazyPage(Page):
    name = "lazy"
    title = "Lazy Page"
    rank = 40
    editable = False

    def layout(self) -> Sequence[Item]:
        return [Label("Imported when shown")]


NotAPage = object()
