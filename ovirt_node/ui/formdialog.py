"""Dialogs a page opens through `DialogUI`: a form in a dialog, streamed output, and a
question with a live countdown.

A form dialog is a small page of its own (`FormSpec`): the same items, widgets and inline
validation as a page, with OK (enabled while valid) and Cancel instead of Save and Reset.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Mapping
from typing import Any, cast

import urwid

from ovirt_node.core import explain
from ovirt_node.ui import focus
from ovirt_node.ui.build import build_item
from ovirt_node.ui.dialogs import CANCEL, CLOSE, Dialog, Size
from ovirt_node.ui.form import FORM_KEY, Form
from ovirt_node.ui.page import FormSpec, Item, Page, PageContext, PageUI, Values
from ovirt_node.ui.pageview import TopListBox
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import ActionButton, ItemWidget, Message, PushButton

#: A form whose rows (at about the dialog's width at 80 columns) fit in _SHORT_ROWS gets a
#: dialog of its own height (frame, buttons and a few error lines included), not a big box.
_FORM_COLS, _SHORT_ROWS, _SHORT_SLACK = 70, 20, 7


class _SpecPage(Page):
    """The page behind a form dialog: its items, start values and rules."""

    name = "dialog"
    title = "dialog"

    def __init__(self, ctx: PageContext, spec: FormSpec) -> None:
        super().__init__(ctx)
        self.spec = spec

    def layout(self) -> list[Item]:
        return list(self.spec.items)

    def local_values(self) -> Values:
        return self.spec.values

    def check(self, values: Values) -> dict[str, str]:
        return dict(self.spec.check(values)) if self.spec.check is not None else {}


class FormDialog(Dialog):
    """A `FormSpec` on screen. Tests reach the same attributes a PageView has (`items`,
    `form`, `save_button` = OK, `reset_button` = Cancel)."""

    size: Size = (("relative", 92), ("relative", 92))

    def __init__(self, spec: FormSpec, ctx: PageContext, ui: PageUI, style: Style,
                 close: Callable[[Dialog], None]) -> None:
        self.spec = spec
        self.page = _SpecPage(ctx, spec)
        self.page.ui = ui
        self.form = Form(self.page, list(spec.items))
        self.items: list[ItemWidget] = [build_item(item, self.form, style, ui, ctx) for item in spec.items]
        self.form_error = Message(style)
        self.walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker([*self.items, self.form_error])
        self.save_button = ActionButton(spec.ok_label, self.ok)
        self.reset_button = ActionButton(CANCEL, lambda: self.close())
        self.accepted = False
        super().__init__(spec.title, TopListBox(self.walker), [self.save_button, self.reset_button], style, close,
                         box=True)
        rows = sum(w.rows((_FORM_COLS,)) for w in self.walker)
        if rows + _SHORT_SLACK <= _SHORT_ROWS:  # a short form in a short dialog, with room for errors
            self.size = (("relative", 92), rows + _SHORT_SLACK)
        first = next((i for i, w in enumerate(self.walker) if w.selectable()), None)
        if first is not None:
            self.walker.set_focus(first)
            self.pile.focus_position = 0
        self.form.subscribe(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        for widget in self.items:
            widget.refresh()
        self.form_error.set(self.form.errors().get(FORM_KEY, ""))
        self.save_button.enabled = self.form.valid
        look: dict[Hashable, Hashable] = {None: "dialog button" if self.form.valid else "disabled"}
        cast(urwid.AttrMap[Any], self.button_bar.original_widget.contents[0][0]).set_attr_map(look)
        if not self.form.valid:
            focus.keep_live(self)  # never leave the focus on the greyed OK

    def to_problem(self) -> bool:
        """F10 while OK is greyed: the focus on the first field with an error (its message
        says what is wrong), so the key is never dead. False when no field has one."""
        for index, widget in enumerate(self.walker):
            message = getattr(getattr(widget, "error", None), "text", "")
            if message and widget.selectable():
                self.walker.set_focus(index)
                self.pile.focus_position = 0
                return True
        return False

    def ok(self) -> None:
        if not self.form.valid:
            return
        errors: Mapping[str, str] = self.spec.on_ok(self.form.values)
        if errors:
            self.form.refuse(errors)
            return
        self.accepted = True
        self.form.unsubscribe(self.refresh)
        self.close()


class StreamDialog(Dialog):
    """Lines as they arrive (a worker's output), then the outcome; Close stops the worker
    (its next `emit` returns False)."""

    size: Size = (("relative", 90), ("relative", 80))

    def __init__(self, title: str, style: Style, close: Callable[[Dialog], None]) -> None:
        self.walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker([])
        self.closed = False
        self.done = False
        self.texts: list[str] = []
        super().__init__(title, urwid.ListBox(self.walker), [PushButton(CLOSE, lambda: self.close())], style, close,
                         box=True)

    def close(self) -> None:
        self.closed = True
        super().close()

    def append(self, line: str, attr: str = "dialog") -> None:
        self.texts.append(line)
        self.walker.append(urwid.Text((attr, self.style.text(line))))
        self.walker.set_focus(len(self.walker) - 1)

    def finish(self, result: object) -> None:
        self.done = True
        if isinstance(result, BaseException):
            self.append(explain.sentence(self.title, result), "dialog error")
        elif result:
            self.append(str(result), "dialog title")


class CountdownDialog(Dialog):
    """A question that answers itself with no when its time runs out; the default button is
    `no`, so an Enter meant for something else never says yes."""

    closable = False
    #: Wide: the lines of the work under the question (the network test's) fit at 80 columns.
    size: Size = (("relative", 94), "pack")

    def __init__(self, title: str, text: str, seconds: int, on_answer: Callable[[bool], None], style: Style,
                 close: Callable[[Dialog], None], yes: str = "OK", no: str = "Cancel") -> None:
        self.deadline = time.monotonic() + seconds
        self.on_answer = on_answer
        self.answered: bool | None = None
        self.no = no
        self.text = text
        self.style = style
        self.left = urwid.Text("")
        self.question = urwid.Text("")
        #: The lines `append` adds (a test run meanwhile), under the question.
        self.lines: list[str] = []
        self.output = urwid.Text("")
        self.markup: list[Any] = []
        body = urwid.Pile([self.question, self.left, urwid.Divider(), self.output])
        buttons = [PushButton(yes, lambda: self.answer(True)), PushButton(no, lambda: self.answer(False))]
        super().__init__(title, body, buttons, style, close)
        self.focus_button(no)
        self.tick()

    def seconds_left(self) -> int:
        return max(0, round(self.deadline - time.monotonic()))

    def tick(self) -> bool:
        """Show the time left; answers no at zero. True while it still runs."""
        if self.answered is not None:
            return False
        left = self.seconds_left()
        if "{left}" in self.text:  # the question says the time itself
            self.question.set_text(("dialog title", self.style.text(self.text.format(left=left))))
        else:
            self.question.set_text(("dialog", self.style.text(self.text)))
            self.left.set_text(("dialog title", f"{left} s left, then: {self.no}"))
        if left <= 0:
            self.answer(False)
            return False
        return True

    def append(self, line: str, attr: str = "dialog") -> None:
        """A line under the question (the work's output as it comes)."""
        self.lines.append(line)
        self.markup += [*(["\n"] if self.markup else []), (attr, self.style.text(line))]
        self.output.set_text(self.markup)

    def finish(self, result: object) -> None:
        """The work's outcome: its closing line, or why it failed."""
        if self.answered is not None:
            return
        if isinstance(result, BaseException):
            self.append(f"Failed: {result}", "dialog error")
        elif result:
            self.append(str(result), "dialog title")

    def answer(self, yes: bool) -> None:
        if self.answered is not None:
            return
        self.answered = yes
        self.close()
        self.on_answer(yes)
