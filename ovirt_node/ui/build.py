"""The widget for each kind of page item."""

from __future__ import annotations

import urwid

from ovirt_node.ui.form import Form
from ovirt_node.ui.page import (
    Button,
    Checkbox,
    Choice,
    Display,
    Divider,
    Entry,
    Field,
    Item,
    KeyValue,
    Label,
    Notice,
    PageContext,
    PageUI,
    Password,
    Table,
)
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import (
    ButtonWidget,
    CheckboxWidget,
    ChoiceWidget,
    DisplayWidget,
    EntryWidget,
    ItemWidget,
    KeyValueWidget,
    NoticeWidget,
    PasswordWidget,
)


def build_item(item: Item, form: Form | None, style: Style, ui: PageUI, ctx: PageContext) -> ItemWidget:
    """The widget for one item; fields need the form."""
    if isinstance(item, Field):
        if form is None:
            raise ValueError("a field needs a form")
        if isinstance(item, Password):
            return PasswordWidget(item, form, style, ui)
        if isinstance(item, Choice):
            return ChoiceWidget(item, form, style)
        if isinstance(item, Checkbox):
            return CheckboxWidget(item, form, style)
        if isinstance(item, Table):
            from ovirt_node.ui.table import TableWidget  # when a page has a table: not the Status page

            return TableWidget(item, form, style, ui, ctx)
        if isinstance(item, Display):
            return DisplayWidget(item, form, style)
        if isinstance(item, Entry):
            return EntryWidget(item, form, style)
        raise TypeError(f"no widget for the field type {type(item).__name__}")
    if isinstance(item, Button):
        return ButtonWidget(item, form, style, ui)
    if isinstance(item, KeyValue):
        return KeyValueWidget(item, form, style, ui, ctx)
    if isinstance(item, Label):
        return ItemWidget(item, form, urwid.Text(("label", style.text(item.text))))
    if isinstance(item, Notice):
        return NoticeWidget(item, form, style)
    if isinstance(item, Divider):
        char = style.text(item.char)[:1] or " "
        return ItemWidget(item, form, urwid.Divider(char))
    raise TypeError(f"no widget for the item type {type(item).__name__}")
