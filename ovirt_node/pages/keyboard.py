"""The Keyboard page: the console keymap, picked from the installed ones (type to search)."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.pages import KEYBOARD
from ovirt_node.ui.page import Divider, Item, Label, Page, PageContext, Row, Table

KEY = "keyboard.keymap"


def _rows(ctx: PageContext) -> list[Row]:
    from ovirt_node.areas.keyboard import available_keymaps  # not before the page is shown
    from ovirt_node.system.keymap_labels import label

    # By the names people know ("German (de)"); typing the code still finds the row.
    rows = [Row(k.name, (label(k.name), k.layout)) for k in available_keymaps(ctx.node)]
    return sorted(rows, key=lambda r: r.cells[0].casefold())


class KeyboardPage(Page):
    name, title, rank = KEYBOARD.name, KEYBOARD.title, KEYBOARD.rank
    help_text = (
        "The keymap of the node's console.\n"
        "Type part of a name in the list to find it; Enter picks the row, Save applies it at once "
        "(no reboot).")

    def layout(self) -> Sequence[Item]:
        return [
            Label("The keymap of the node's console. Type part of a name to search; Enter picks it."),
            Divider(),
            Table(KEY, "Keymap:", columns=("Keymap", "Layout"), rows=_rows, height=9, search=True),
        ]
