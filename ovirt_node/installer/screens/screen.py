"""One installer screen: a setup-TUI page (items, form, validation) plus what a step of a
wizard needs: the values it starts with, why Continue is disabled, a check when Continue is
pressed, and what it stores into the choices.

The rules live here, not in the widgets, so an answers file is checked by the very same
screen without a terminal (`answer`): a value the screen would refuse is refused there too.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar

import urwid

from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.state import Installer
from ovirt_node.ui import focus
from ovirt_node.ui.form import FORM_KEY, Form, confirm_key, fields_of
from ovirt_node.ui.page import Item, Page, PageContext, PageUI, Values
from ovirt_node.ui.pageview import PageView
from ovirt_node.ui.palette import Style
from ovirt_node.ui.table import TableWidget
from ovirt_node.ui.widgets import ActionButton, FieldWidget, button_row, styled_button

BACK, CONTINUE, QUIT = "Back", "Continue", "Quit"


class Screen(Page):
    """Subclasses set `name` and `title` and implement `layout()`; most override `initial`,
    `blocked` and `commit`."""

    editable = False
    continue_label: str = CONTINUE
    #: The field that has the focus when the screen opens (None: the first one).
    focus_key: ClassVar[str | None] = None

    def __init__(self, ctx: PageContext, installer: Installer, choices: Choices) -> None:
        super().__init__(ctx)
        self.installer = installer
        self.choices = choices

    def initial(self) -> dict[str, str]:
        """Field values when the screen opens, from the choices so far."""
        return {}

    def blocked(self, values: Values) -> str:
        """Why Continue is disabled for `values` (beyond field errors); "" when it is not."""
        return ""

    def verify(self, values: Values) -> str:
        """A last check when Continue is pressed (a slow one: a password); "" when it passes."""
        return ""

    def commit(self, values: Values) -> Choices:
        """The choices with this screen's values in."""
        return self.choices

    def details(self, key: str, value: str) -> str:
        """Text about the row with the focus in table `key` (the focused disk's details)."""
        return ""

    def changed(self, values: Values) -> None:
        """Called after every change of a value (the keyboard screen applies the keymap)."""


def open_form(screen: Screen) -> Form:
    """The screen's form with its starting values typed in."""
    form = Form(screen)
    for key, value in screen.initial().items():
        if key in form.loaded:  # a password's confirmation included
            form.set(key, value)
    return form


def problem(screen: Screen, form: Form) -> str:
    """Why Continue cannot be pressed now: the first field error, or the screen's reason."""
    errors = form.errors()
    if errors:
        key, message = next(iter(errors.items()))
        label = next((f.label.rstrip(":") for f in fields_of(form.items)
                      if key in (f.key, confirm_key(f.key)) and f.label), "")
        return f"{label}: {message}" if label and key != FORM_KEY else message
    return screen.blocked(form.values)


def answer(screen: Screen) -> Choices:
    """Run the screen without a terminal on the values the choices hold: its choices, or
    ValueError with the reason the screen would show."""
    form = open_form(screen)
    reason = problem(screen, form) or screen.verify(form.values)
    if reason:
        raise ValueError(f"{screen.title}: {reason}")
    screen.changed(form.values)
    return screen.commit(form.values)


class ScreenView(urwid.WidgetWrap[urwid.Pile]):
    """The screen's page (title, items) with Back / Continue / Quit and the reason Continue
    is disabled pinned below."""

    def __init__(self, screen: Screen, ui: PageUI, style: Style, on_back: Callable[[], None],
                 on_continue: Callable[[Screen, Values], None], on_quit: Callable[[], None],
                 first: bool = False) -> None:
        self.screen = screen
        self.style = style
        self.on_continue = on_continue
        self.form = open_form(screen) if fields_of(screen.layout()) else None
        items: Sequence[Item] = self.form.items if self.form else screen.layout()
        self.page = PageView(screen, ui, style, list(items), self.form)
        self.details = urwid.Text("")
        self.status = urwid.Text("")
        self.back = ActionButton(BACK, on_back)
        self.back.enabled = not first
        self.next = ActionButton(screen.continue_label, self._continue)
        self.quit = ActionButton(QUIT, on_quit)
        self._next_look = styled_button(self.next)
        back_look = styled_button(self.back) if not first else urwid.AttrMap(self.back, "button disabled")
        self.buttons = button_row([back_look, self._next_look, styled_button(self.quit)])
        self.bar = urwid.Columns([("pack", self.buttons), self.status], dividechars=2)
        parts: list[Any] = [("weight", 1, self.page), ("pack", self.details), ("pack", urwid.Divider(style.rule)),
                            ("pack", self.bar)]
        self.pile = urwid.Pile(parts)
        super().__init__(self.pile)
        self._tables: list[TableWidget] = [w for w in self.page.items if isinstance(w, TableWidget)]
        for table in self._tables:
            urwid.connect_signal(table.walker, "modified", self._focus_moved, user_args=[table])
        self._place_focus()
        if self.form is not None:
            self.form.subscribe(self.refresh)
        self.refresh()

    def _place_focus(self) -> None:
        key = self.screen.focus_key
        for index, widget in enumerate(self.page.walker):
            if isinstance(widget, FieldWidget) and key is not None and widget.key == key:
                self.page.walker.set_focus(index)
                return
        if not self.has_fields:
            self.focus_buttons()  # nothing to edit: Continue

    @property
    def has_fields(self) -> bool:
        return any(w.selectable() for w in self.page.walker)

    def _focus_moved(self, table: TableWidget) -> None:
        focus = table.walker.get_focus()[0]
        row = getattr(focus, "row", None)
        text = self.screen.details(table.key, row.value) if row is not None else ""
        self.details.set_text(("notice", self.style.text(text)))

    @property
    def values(self) -> dict[str, str]:
        return self.form.values if self.form is not None else {}

    def reason(self) -> str:
        return problem(self.screen, self.form) if self.form is not None else self.screen.blocked({})

    def refresh(self) -> None:
        self.screen.changed(self.values)
        reason = self.reason()
        self.next.enabled = not reason
        look: dict[Hashable, Hashable] = {None: "button" if not reason else "button disabled"}
        focus_look: dict[Hashable, Hashable] = {None: "button focus" if not reason else "button disabled"}
        self._next_look.set_attr_map(look)
        self._next_look.set_focus_map(focus_look)
        self.status.set_text(("error", self.style.text(reason)) if reason else "")
        if reason:
            focus.keep_live(self)
        for table in self._tables:  # a table filled by its worker after the first draw
            if not self.details.text:
                self._focus_moved(table)

    def _continue(self) -> None:
        if self.reason():
            return
        failed = self.screen.verify(self.values)
        if failed:
            self.status.set_text(("error", self.style.text(failed)))
            return
        self.on_continue(self.screen, self.values)

    def focus_buttons(self) -> None:
        """Continue, or (while it is disabled) the first button that can be pressed: the
        focus never rests on a greyed control, where it shows no highlight."""
        self.pile.focus_position = 3
        self.bar.focus_position = 0
        live = [i for i, b in enumerate((self.back, self.next, self.quit)) if b.enabled]
        self.buttons.focus_position = 1 if 1 in live else live[0]
