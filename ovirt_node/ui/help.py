"""The F1 (and `?`) help: what the current page does and the keys that work on it.

A page says what it does through `Page.help()` (its `help_text`); a page that says nothing
(a plugin's) gets its title and each field's label and help, so every screen has some.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence

from ovirt_node.ui.page import Button, Field, Item, Label, Page, Table

SETUP_KEYS = (
    ("Up/Down", "move in the menu or between the fields of a page"),
    ("Tab, Shift-Tab", "next / previous field; from the last field back to the menu"),
    ("Enter, Space", "open the page, press a button, pick an entry"),
    ("Esc", "close a dialog, or quit (asks first; names unsaved changes)"),
    ("F1, ?", "this help (? types itself in a text field)"),
    ("F2", "a shell (exit comes back here)"),
    ("F4", "basic (ASCII, no colour) or rich display"),
    ("F8", "the Support page: logs and the support bundle"),
    ("F12", "read the page again from the system"),
    ("Ctrl-L", "redraw the whole screen (line noise on a serial console)"),
)
INSTALLER_KEYS = (
    ("Up/Down", "move between fields and rows"),
    ("Tab, Shift-Tab", "between the fields and the Back / Continue / Quit buttons"),
    ("Enter, Space", "pick an entry, press a button"),
    ("Esc", "back to the previous screen (on the first one: quit, asks first)"),
    ("F1, ?", "this help (? types itself in a text field)"),
    ("Ctrl-L", "redraw the whole screen"),
)
DIALOG_KEYS = (
    ("Tab, Left/Right", "between the buttons"),
    ("Enter", "press the focused button"),
    ("Esc", "close the dialog (not while a change is being applied)"),
)
VIEWER_KEYS = (
    ("Up/Down, PgUp/PgDn", "scroll"),
    ("Home, End", "the first / the newest line"),
    ("/", "find text; Enter finds it, n the next match"),
    ("Esc", "close the viewer"),
)


#: The help viewer's text width at 80 columns (90% of the screen, less its frame).
TEXT_WIDTH = 66


def keys_text(keys: Sequence[tuple[str, str]], width: int = TEXT_WIDTH) -> str:
    """One key a line, its words wrapped under the description's column (not under the key)."""
    names = max(len(name) for name, _ in keys)
    lines = []
    for name, what in keys:
        lead = f"  {name.ljust(names)}  "
        lines += textwrap.wrap(what, width, initial_indent=lead, subsequent_indent=" " * len(lead))
    return "\n".join(lines)


def _field_line(item: Field, key_help: Mapping[str, str]) -> str:
    label = item.label.rstrip(": ") or item.key
    said = item.help or key_help.get(item.key, "")
    return f"- {label}: {said}" if said else f"- {label}"


def default_help(page: Page, items: Sequence[Item], key_help: Mapping[str, str]) -> str:
    """The help of a page that gives none: its title, its text and each field's help."""
    lines = [f"The {page.title} page."]
    lines += [item.text for item in items if isinstance(item, Label) and item.text.strip()][:3]
    fields = [_field_line(item, key_help) for item in items if isinstance(item, Field)]
    buttons = [item.label for item in items if isinstance(item, Button)]
    if fields:
        lines += ["", "Fields:", *fields]
    if buttons:
        lines += ["", "Buttons: " + ", ".join(buttons)]
    return "\n".join(lines)


def page_extra_keys(page: Page, items: Sequence[Item]) -> list[tuple[str, str]]:
    """Keys only some pages have."""
    extra: list[tuple[str, str]] = []
    if any(isinstance(item, Table) and item.search for item in items):
        extra.append(("typing in a list", "the Search field filters its rows"))
    if page.editable and any(isinstance(item, Field) for item in items):
        extra.append(("Save, Reset", "apply the changes / go back to what the node has"))
    return extra


def page_help(page: Page, items: Sequence[Item], key_help: Mapping[str, str],
              keys: Sequence[tuple[str, str]] = SETUP_KEYS) -> str:
    """The whole help text of one page: what it does, then its keys."""
    try:
        said = page.help().strip()
    except Exception as exc:  # a plugin's help() must not take F1 down
        said = f"(this page's help failed: {exc})"
    about = said or default_help(page, items, key_help)
    return f"{about}\n\nKeys:\n{keys_text([*keys, *page_extra_keys(page, items)])}"
