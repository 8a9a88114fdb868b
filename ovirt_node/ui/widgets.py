"""urwid widgets for the page items, each bound to the page's `Form`.

A widget writes what the operator does into the form (`Form.set`) and reads everything back
in `refresh()`, which the page view calls after every form change: error lines, greyed-out
fields and shown values therefore always agree with the form, whoever changed it (typing,
Reset, F12). Slow values (`KeyValue`, `Table.rows`, the password strength) are computed
through `PageUI.run_in_worker` and shown as an ellipsis until they arrive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar, cast

import urwid
from urwid.canvas import apply_text_layout

from ovirt_node.ui.form import Form, confirm_key
from ovirt_node.ui.page import (
    Button,
    Checkbox,
    Choice,
    Display,
    Entry,
    Field,
    Item,
    KeyValue,
    Notice,
    PageContext,
    PageUI,
    Password,
)
from ovirt_node.ui.palette import ATTR_NAMES, Style
from ovirt_node.ui.wraptext import LabelledText, WrapText

log = logging.getLogger(__name__)

LABEL_WIDTH = 18
#: Everything turns grey inside a disabled item, whatever attribute it had.
_GREY: dict[Hashable, Hashable] = {None: "disabled", **dict.fromkeys(ATTR_NAMES, "disabled")}


def labelled(label: str, widget: urwid.Widget, style: Style) -> urwid.Columns:
    """`label` in a fixed column on the left, `widget` in the rest: fields line up."""
    return urwid.Columns([(LABEL_WIDTH, urwid.Text(("label", style.text(label)))), widget], dividechars=1)


def indented(widget: urwid.Widget) -> urwid.Padding[urwid.Widget]:
    return urwid.Padding(widget, left=LABEL_WIDTH + 1)


class Message(urwid.WidgetWrap[urwid.Pile]):
    """A line under a field that takes no room while empty (errors, hints)."""

    def __init__(self, style: Style, attr: str = "error") -> None:
        self._style = style
        self._attr = attr
        self._text = ""
        #: The Pile holding this message. While empty the message has no rows, so the Pile
        #: does not render it and its cached canvas does not depend on it: a message that
        #: appears later (a worker's strength hint) must invalidate the Pile itself.
        self.container: urwid.Widget | None = None
        super().__init__(urwid.Pile([]))

    @property
    def text(self) -> str:
        return self._text

    def set(self, text: str, attr: str | None = None) -> None:
        attr = attr or self._attr
        if text == self._text and attr == self._attr:
            return
        self._text, self._attr = text, attr
        pile = self._w
        if text:
            line = indented(WrapText((attr, self._style.text(text))))
            pile.contents = [(line, pile.options())]
        else:
            pile.contents = []
        if self.container is not None:
            self.container._invalidate()


class Gate(urwid.WidgetWrap[urwid.Widget]):
    """Greys out and disables its content while the item's `enabled_when` is false. The
    wrappers that do it are made the first time it is disabled: most items never are, and
    each urwid wrapper checks its content against a runtime Protocol (slow on Python 3.11)."""

    def __init__(self, widget: urwid.Widget) -> None:
        self._content = widget
        #: (the switch, its colours), once first disabled.
        self._wrappers: tuple[urwid.WidgetDisable[urwid.Widget], urwid.AttrMap[Any]] | None = None
        # What WidgetWrap.__init__ does, less its check of `widget` against urwid's runtime
        # Protocol (as slow as above): every item's widget is an urwid widget.
        urwid.Widget.__init__(self)
        self._w = widget

    @property
    def enabled(self) -> bool:
        return self._wrappers is None or not self._wrappers[0].disabled

    def set_enabled(self, enabled: bool) -> None:
        if enabled == self.enabled:
            return
        if self._wrappers is None:
            switch = urwid.WidgetDisable(self._content, disabled=False)
            self._wrappers = (switch, urwid.AttrMap(switch, {}))
            self._w = self._wrappers[1]
        switch, colours = self._wrappers
        switch.disabled = not enabled
        colours.set_attr_map({} if enabled else dict(_GREY))


class AsciiEdit(urwid.Edit):
    """An Edit that accepts only ASCII, for basic mode: nothing it echoes can leave 7 bits."""

    def valid_char(self, ch: str) -> bool:
        return ch.isascii() and super().valid_char(ch)


def make_edit(text: str, style: Style, mask: str | None = None) -> urwid.Edit:
    cls = AsciiEdit if style.ascii else urwid.Edit
    return cls("", text, mask=mask)


class ItemWidget(Gate):
    """Base of every item's widget: `refresh()` re-reads the form; it is its own Gate."""

    def __init__(self, item: Item, form: Form | None, widget: urwid.Widget) -> None:
        self.item = item
        self.form = form
        super().__init__(widget)

    def refresh(self) -> None:
        if self.form is not None:
            self.set_enabled(self.form.enabled(self.item))

    def reload(self) -> None:
        """Recompute values that come from the system (after Save or Reset)."""


class FieldWidget(ItemWidget):
    """A field: its input row(s) plus an inline error line."""

    item: Field

    def __init__(
        self, item: Field, form: Form, style: Style, rows: Sequence[urwid.Widget], after: Sequence[urwid.Widget] = ()
    ) -> None:
        self.style = style
        self.error = Message(style)
        body = urwid.Pile([*rows, self.error, *after])
        for widget, _options in body.contents:
            if isinstance(widget, Message):
                widget.container = body
        super().__init__(item, form, body)

    @property
    def key(self) -> str:
        return self.item.key

    def on_value(self, value: str) -> None:
        assert self.form is not None
        self.form.set(self.key, value)

    def refresh(self) -> None:
        super().refresh()
        assert self.form is not None
        self.error.set(self.form.error(self.key) if self.enabled else "")
        self.show(self.form.typed(self.key))

    def show(self, value: str) -> None:
        """Make the input show `value` (after Reset or a reload); never fires a change."""


def _sync_edit(edit: urwid.Edit, value: str) -> None:
    if edit.edit_text != value:
        edit.set_edit_text(value)


class EntryWidget(FieldWidget):
    def __init__(self, item: Entry, form: Form, style: Style) -> None:
        self.edit = make_edit(form.typed(item.key), style)
        urwid.connect_signal(self.edit, "postchange", lambda edit, _old: self.on_value(edit.edit_text))
        row = labelled(item.label, urwid.AttrMap(self.edit, "field", "field focus"), style)
        super().__init__(item, form, style, [row])

    def show(self, value: str) -> None:
        _sync_edit(self.edit, value)


class PasswordWidget(FieldWidget):
    """Masked entry, strength hint, and (with `confirm`) a second entry that must match."""

    item: Password

    def __init__(self, item: Password, form: Form, style: Style, ui: PageUI) -> None:
        self.ui = ui
        self.edit = make_edit(form.typed(item.key), style, mask="*")
        self.hint = Message(style, "notice")
        self._generation = 0
        urwid.connect_signal(self.edit, "postchange", lambda edit, _old: self._typed(edit.edit_text))
        rows: list[urwid.Widget] = [labelled(item.label, urwid.AttrMap(self.edit, "field", "field focus"), style)]
        if item.strength_hint:
            rows.append(self.hint)
        self.confirm: urwid.Edit | None = None
        self.confirm_error = Message(style)
        after: list[urwid.Widget] = []
        if item.confirm:
            self.confirm = make_edit(form.typed(confirm_key(item.key)), style, mask="*")
            urwid.connect_signal(
                self.confirm, "postchange", lambda edit, _old: form.set(confirm_key(item.key), edit.edit_text)
            )
            confirm_row = labelled("Confirm:", urwid.AttrMap(self.confirm, "field", "field focus"), style)
            after = [confirm_row, self.confirm_error]
        super().__init__(item, form, style, rows, after)

    def _typed(self, password: str) -> None:
        self.on_value(password)
        if not self.item.strength_hint:
            return
        self._generation += 1
        generation = self._generation
        if not password:
            self.hint.set("")
            return

        from ovirt_node.system.strength import Strength, strength

        def done(result: object) -> None:
            if generation != self._generation:
                return  # the operator typed on; an older verdict must not overwrite a newer one
            if isinstance(result, Strength):
                self.hint.set(f"Strength: {result.text}", "error" if result.weak else "notice")

        self.ui.run_in_worker(lambda: strength(password), done)

    def refresh(self) -> None:
        super().refresh()
        assert self.form is not None
        ckey = confirm_key(self.key)
        self.confirm_error.set(self.form.error(ckey) if self.enabled else "")
        if self.confirm is not None:
            _sync_edit(self.confirm, self.form.typed(ckey))
        if not self.edit.edit_text:
            self.hint.set("")

    def show(self, value: str) -> None:
        _sync_edit(self.edit, value)


class ChoiceWidget(FieldWidget):
    item: Choice
    #: The arrows pick among the options; Tab goes on to the next field (focus.py).
    tab_stop = True

    def __init__(self, item: Choice, form: Form, style: Style) -> None:
        marks = (style.radio_on, style.radio_off)
        current = form.typed(item.key)
        self.buttons: dict[str, Toggle] = {}
        for value, text in item.options:
            button = Toggle(style.text(text), marks, value == current)
            urwid.connect_signal(button, "click", self._picked, user_args=[value])
            self.buttons[value] = button
        column = urwid.Pile([urwid.AttrMap(b, None, "field focus") for b in self.buttons.values()])
        super().__init__(item, form, style, [labelled(item.label, column, style)])

    def _picked(self, value: str, _button: Toggle) -> None:
        self.show(value)
        self.on_value(value)

    def show(self, value: str) -> None:
        for option, button in self.buttons.items():
            button.set_state(option == value)


class CheckboxWidget(FieldWidget):
    def __init__(self, item: Checkbox, form: Form, style: Style) -> None:
        self.box = Toggle(style.text(item.label), (style.check_on, style.check_off), _truth(form.typed(item.key)))
        urwid.connect_signal(self.box, "click", self._toggled)
        super().__init__(item, form, style, [indented(urwid.AttrMap(self.box, None, "field focus"))])

    def _toggled(self, box: Toggle) -> None:
        box.set_state(not box.state)
        self.on_value(_yes_no(box.state))

    def show(self, value: str) -> None:
        self.box.set_state(_truth(value))


def _truth(value: str) -> bool:
    try:
        from ovirt_node.core.valid import parse_bool

        return parse_bool(value) if value else False
    except ValueError:
        return False


def _yes_no(state: bool) -> str:
    return "yes" if state else "no"


class DisplayWidget(FieldWidget):
    """A `Display`: the rendered value (refreshed with the form) and its error line."""

    item: Display

    def __init__(self, item: Display, form: Form, style: Style) -> None:
        self.text = urwid.Text("")
        super().__init__(item, form, style, [labelled(item.label, self.text, style)])

    def show(self, value: str) -> None:
        try:
            shown = self.item.render(value)
        except Exception as exc:  # a broken renderer must not take the page down
            log.exception("display %r failed", self.key)
            shown = f"({type(exc).__name__}: {exc})"
        if self.text.text != self.style.text(shown):
            self.text.set_text(self.style.text(shown))


class Clickable(urwid.SelectableIcon):
    """One line of text that emits "click" on Enter, Space or a left click.

    urwid's Button and CheckBox are Columns of two or three widgets, and on Python 3.11 every
    Columns render pays for runtime Protocol checks on each child; drawing these as a single
    Text halves the time to redraw a page (`make bench`)."""

    signals: ClassVar[list[str]] = ["click"]
    #: (attribute, attribute when focused) drawn over the text, for a button that stands
    #: alone; None where the owner wraps it in an AttrMap (a row of dialog buttons).
    look: tuple[str, str] | None = None

    def render(self, size: tuple[int] | tuple[()], focus: bool = False) -> urwid.TextCanvas | urwid.CompositeCanvas:  # type: ignore[override]
        if self.look is None:
            return super().render(size, focus)
        # Laid out here with the look's attribute: urwid caches a Text's own canvas without
        # regard to focus, so the attribute cannot come from get_text().
        maxcol = size[0] if size else self.pack()[0]
        text = self.text
        canvas = apply_text_layout(text, [(self.look[focus], len(text))], self.get_line_translation(maxcol),
                                         maxcol)
        if focus:
            canvas.cursor = self.get_cursor_coords((maxcol,))
        return canvas

    def keypress(self, size: tuple[int], key: str) -> str | None:  # type: ignore[override]
        if self._command_map[key] != urwid.ACTIVATE:
            return key
        self._emit("click")
        return None

    def mouse_event(self, size: Any, event: str, button: int, col: int, row: int, focus: bool) -> bool:
        if button != 1 or not urwid.util.is_mouse_press(event):
            return False
        self._emit("click")
        return True


class PushButton(Clickable):
    """`< label >`, with the cursor on the label as urwid's Button has it."""

    def __init__(self, label: str, on_press: Callable[[], None] | None = None) -> None:
        self.label = label
        super().__init__(f"< {label} >", 2)
        if on_press is not None:
            urwid.connect_signal(self, "click", lambda _button: on_press())


class Toggle(Clickable):
    """A check box or radio button: `marks` are the (on, off) boxes drawn before the label.
    The owner decides what a click means (toggle, or pick one of a group) and sets the state."""

    def __init__(self, label: str, marks: tuple[str, str], state: bool) -> None:
        self.label = label
        self.marks = marks
        self.state = state
        super().__init__(self._markup(), 1)

    def _markup(self) -> str:
        return f"{self.marks[0] if self.state else self.marks[1]} {self.label}"

    def set_state(self, state: bool) -> None:
        if state != self.state:
            self.state = state
            self.set_text(self._markup())


class ActionButton(PushButton):
    """A button that can be switched off: greyed and deaf to presses, yet still focusable,
    so moving through the page does not jump around as it becomes valid."""

    def __init__(self, label: str, on_press: Callable[[], None]) -> None:
        self.enabled = True
        super().__init__(label, on_press)

    def _emit(self, name: Hashable, *args: Any) -> None:
        if self.enabled:
            super()._emit(name, *args)


def button_row(buttons: Sequence[urwid.Widget]) -> urwid.Columns:
    return urwid.Columns([("pack", b) for b in buttons], dividechars=2)


def styled_button(button: PushButton, prefix: str = "") -> urwid.AttrMap[PushButton]:
    return urwid.AttrMap(button, f"{prefix}button", f"{prefix}button focus")


class BoundUI:
    """The UI a button's handler gets (`FormUI`): the application's PageUI, plus the form."""

    def __init__(self, ui: PageUI, form: Form | None) -> None:
        self._ui = ui
        self._form = form

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ui, name)

    def values(self) -> dict[str, str]:
        return self._form.values if self._form is not None else {}

    def set_value(self, key: str, value: str) -> None:
        if self._form is None:
            raise KeyError(f"no field edits {key!r}")
        self._form.set(key, value)


class ButtonWidget(ItemWidget):
    def __init__(self, item: Button, form: Form | None, style: Style, ui: PageUI) -> None:
        bound = BoundUI(ui, form)

        def press() -> None:
            try:
                item.on_press(cast(PageUI, bound))
            except Exception as exc:  # a page's handler must not take the UI down
                log.exception("button %r failed", item.label)
                from ovirt_node.core import explain  # only when something failed

                ui.info("Error", explain.sentence(item.label, exc))

        self.button = ActionButton(style.text(item.label), press)
        # Drawn in its own colours, as wide as its label: no Columns and AttrMap around it.
        self.button.look = ("button", "button focus")
        super().__init__(item, form, self.button)


class NoticeWidget(ItemWidget):
    """A `Notice`: recomputed from the form's values on every refresh; no room while empty."""

    item: Notice

    def __init__(self, item: Notice, form: Form | None, style: Style) -> None:
        self.style = style
        self.text = ""
        self.pile = urwid.Pile([])
        super().__init__(item, form, self.pile)
        self.refresh()

    def refresh(self) -> None:
        super().refresh()
        values = self.form.values if self.form is not None else {}
        try:
            text = self.item.text(values)
        except Exception:  # a broken hint must not take the page down
            log.exception("notice %r failed", self.item)
            text = ""
        if text == self.text:
            return
        self.text = text
        line = WrapText(("notice", self.style.text(text)))
        self.pile.contents = [(line, self.pile.options())] if text else []


class KeyValueWidget(ItemWidget):
    def __init__(self, item: KeyValue, form: Form | None, style: Style, ui: PageUI, ctx: PageContext) -> None:
        self.style = style
        self.value = LabelledText(("label", style.text(item.label)), LABEL_WIDTH, style.ellipsis)
        super().__init__(item, form, self.value)
        self.ui, self.ctx = ui, ctx
        self.reload()

    def reload(self) -> None:
        item, ctx = self.item, self.ctx
        assert isinstance(item, KeyValue)
        self.value.set_value(self.style.ellipsis)
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation

        def done(result: object) -> None:
            if generation == self._generation:  # an older answer must not replace a newer one
                self._done(result)

        self.ui.run_in_worker(lambda: item.value(ctx), done)

    def _done(self, result: object) -> None:
        if isinstance(result, BaseException):
            from ovirt_node.core import explain  # only when something failed

            self.value.set_value(("error", self.style.text(f"unavailable ({explain.cause(result)})")))
        else:
            self.value.set_value(self.style.text(str(result)))
