"""Keyboard: the console keymap, from a searchable table (type to jump). A chosen keymap is
applied to the console at once (through the config engine's keyboard section, as the setup
TUI does), so the passwords typed next use it; a dry run leaves the console alone. The
installed node gets it too (`keyboard=`).
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.core.valid import Regex
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.screen import Screen
from ovirt_node.installer.screens.state import Installer
from ovirt_node.system.keymaps import NAME_PATTERN
from ovirt_node.ui.page import Item, Notice, PageContext, Row, Table, Values

KEYMAP_KEY = "keymap"
DEFAULT = "us"


def keymap_rows(ctx: PageContext) -> list[Row]:
    from ovirt_node.areas.keyboard import available_keymaps
    from ovirt_node.system.keymap_labels import label

    # By the names people know ("German (de)"); typing the code still finds the row.
    rows = [Row(k.name, [label(k.name), k.layout]) for k in available_keymaps(ctx.engine.ctx)]
    return sorted(rows, key=lambda r: r.cells[0].casefold())


def current_keymap(ctx: PageContext) -> str:
    """What the live system's vconsole.conf names (the default keymap when nothing)."""
    try:
        text = ctx.root("/etc/vconsole.conf").read_text(errors="replace")
    except OSError:
        return DEFAULT
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "KEYMAP" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return DEFAULT


class Keyboard(Screen):
    name = "keyboard"
    title = "Keyboard"
    help_text = (
        "The keymap for the console, used at once for the password you type next and kept on the "
        "installed node.\n"
        "Type part of a name to find it.")
    focus_key = KEYMAP_KEY

    def __init__(self, ctx: PageContext, installer: Installer, choices: Choices) -> None:
        super().__init__(ctx, installer, choices)
        #: What the console has now (applying it again would be a needless localed call).
        self.applied = current_keymap(ctx)

    def layout(self) -> Sequence[Item]:
        return [
            Table(KEYMAP_KEY, "Keymap:", columns=["Keymap", "Layout"], rows=keymap_rows, height=10, search=True,
                  validator=Regex(NAME_PATTERN, "a console keymap name"),
                  help="type to search; Enter or Space picks the keymap"),
            Notice(self._status),
        ]

    def _status(self, values: Values) -> str:
        keymap = values.get(KEYMAP_KEY, "")
        if not keymap:
            return ""
        if self.installer.keymap_applier is None:
            return f"{keymap}: this console is left as it is (dry run or --root); the node gets {keymap}"
        return f"{keymap} is in use on this console now"

    def initial(self) -> dict[str, str]:
        return {KEYMAP_KEY: self.choices.keymap or current_keymap(self.ctx)}

    def blocked(self, values: Values) -> str:
        return "" if values.get(KEYMAP_KEY) else "choose a keymap"

    def changed(self, values: Values) -> None:
        keymap = values.get(KEYMAP_KEY, "")
        apply = self.installer.keymap_applier
        if keymap and keymap != self.applied and apply is not None:
            self.applied = keymap
            if self.ui is None:  # answered from a file, no screen shown: at once
                apply(keymap)
            else:
                self.ui.run_in_worker(lambda: apply(keymap), lambda _result: None)

    def commit(self, values: Values) -> Choices:
        return self.choices.with_(keymap=values[KEYMAP_KEY])
