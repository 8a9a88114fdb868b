"""Helpers for page authors: drive a page without a terminal.

    node_root = demo_root_copy(tmp_path / "root")              # the demo node's tree
    ctx = page_context(node_root, sections=[MotdSection()])   # engine, machine, root
    h = PageHarness(MotdPage, ctx)
    h.type("motd.message", "Hello")        # by key, or by label ("Message")
    assert h.error("Message") == ""          # the inline error under the field
    assert h.save_enabled
    assert h.changes() == {"motd.message": "Hello"}
    h.save()                                  # the Transaction goes to the FakeUI ...
    assert h.planned is not None              # ... which runs it too with FakeUI(ctx, apply=True)
    print(h.text())                          # the page as 80x24 text

`FakeUI` stands in for the application: it records every dialog and transaction, runs
workers at once in the calling thread, and (with `apply=True`) runs transactions for real.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import urwid

from ovirt_node.core.resources import copy_demo_root
from ovirt_node.core.transaction import Confirmation, Transaction, TransactionError
from ovirt_node.demo.bus import MockService as MockService  # for plugin tests' annotations
from ovirt_node.demo.node import DemoNode as DemoNode
from ovirt_node.ui.form import Form, confirm_key
from ovirt_node.ui.page import Emit, Field, FormSpec, Page, PageContext, load_page
from ovirt_node.ui.pageview import SAVE, PageView, build_view
from ovirt_node.ui.palette import Mode, style_for
from ovirt_node.ui.table import TableWidget
from ovirt_node.ui.widgets import (
    ButtonWidget,
    CheckboxWidget,
    ChoiceWidget,
    FieldWidget,
    PasswordWidget,
)

if TYPE_CHECKING:
    from ovirt_node.core.model import Section

SIZE = (80, 24)
#: Width handed to a single widget's keypress (any width that fits the widget works).
LABEL_COLS = 40


@dataclass
class Dialog:
    """One dialog the page asked for."""

    kind: str  # info, confirm, text
    title: str
    text: str
    on_yes: Callable[[], None] | None = None
    #: A text viewer opened at its last line.
    at_end: bool = False


@dataclass
class FakeUI:
    """A PageUI that records what it is asked. Confirmations are answered with `answer`."""

    ctx: PageContext | None = None
    apply: bool = False
    answer: bool = True
    dialogs: list[Dialog] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    results: list[bool] = field(default_factory=list)
    reloads: int = 0
    #: The form dialogs open now (FormDialog widgets), the newest last.
    forms: list[Any] = field(default_factory=list)
    locked: bool = False
    quitted: bool = False

    def info(self, title: str, text: str) -> None:
        self.dialogs.append(Dialog("info", title, text))

    def confirm(self, title: str, text: str, on_yes: Callable[[], None]) -> None:
        self.dialogs.append(Dialog("confirm", title, text, on_yes))
        if self.answer:
            on_yes()

    def show_text(self, title: str, text: str, *, at_end: bool = False) -> None:
        self.dialogs.append(Dialog("text", title, text, at_end=at_end))

    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        try:
            result: object = work()
        except Exception as exc:
            result = exc
        done(result)

    def run_transaction(self, tx: Transaction, on_done: Callable[[bool], None] | None = None,
                        confirm: Confirmation | None = None) -> None:
        """Record `tx`; with `apply`, run it on the page context's engine (asking `confirm`)
        and report the outcome."""
        self.transactions.append(tx)
        if not self.apply:
            return
        if self.ctx is None:
            raise RuntimeError("FakeUI(apply=True) needs the page context")
        try:
            tx.run(self.ctx.engine.ctx, confirm=confirm)
            ok = True
        except TransactionError as exc:
            self.dialogs.append(Dialog("info", "Failed", str(exc)))
            ok = False
        self.results.append(ok)
        if on_done is not None:
            on_done(ok)

    def open_form(self, spec: FormSpec) -> None:
        """Build the real form dialog (drive it with `DialogHarness(ui.forms[-1], ui)`)."""
        from ovirt_node.ui.formdialog import FormDialog

        if self.ctx is None:
            raise RuntimeError("FakeUI.open_form needs the page context")
        self.dialogs.append(Dialog("form", spec.title, ""))
        self.forms.append(FormDialog(spec, self.ctx, self, style_for("color"), self._closed))

    def _closed(self, dialog: object) -> None:
        if dialog in self.forms:
            self.forms.remove(dialog)

    def stream(self, title: str, work: Callable[[Emit], object]) -> None:
        """Run `work` at once; its lines and outcome become one text dialog."""
        lines: list[str] = []

        def emit(line: str) -> bool:
            lines.append(line)
            return True

        try:
            result: object = work(emit)
        except Exception as exc:
            result = exc
        if isinstance(result, BaseException):
            lines.append(f"Failed: {result}")
        elif result:
            lines.append(str(result))
        self.dialogs.append(Dialog("stream", title, "\n".join(lines)))

    def countdown(self, title: str, text: str, seconds: int, on_answer: Callable[[bool], None],
                  yes: str = "OK", no: str = "Cancel", work: Callable[[Emit], object] | None = None
                  ) -> Callable[[], None]:
        """`work` runs first (its lines join the text), then it is answered with `answer`."""
        lines = [text.format(left=seconds) if "{left}" in text else f"{text} ({seconds} s)"]
        if work is not None:
            def emit(line: str) -> bool:
                lines.append(line)
                return True

            result = work(emit)
            if result:
                lines.append(str(result))
        self.dialogs.append(Dialog("countdown", title, "\n".join(lines)))
        on_answer(self.answer)
        return lambda: None

    def reload(self) -> None:
        self.reloads += 1

    def lock(self) -> None:
        self.locked = True

    def quit(self) -> None:
        self.quitted = True


def demo_root_copy(dest: Path) -> Path:
    """A working copy of the demo node's tree (shipped in the package) at `dest`."""
    return copy_demo_root(dest)


def page_context(root: str | Path, machine: str = "demo", sections: Sequence[Section] = (),
                 demo: bool = True) -> PageContext:
    """A PageContext on a node tree (demo_root_copy, say): the real engine with the
    built-in sections plus `sections` (a plugin's own), and a machine profile by name."""
    from ovirt_node.areas.registry import builtin_sections
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine
    from ovirt_node.core.root import Root
    from ovirt_node.system.machine.profile import load_profile, profile_path

    node = Root.at(root)
    profile = load_profile(profile_path(machine))
    engine = Engine(Context(root=node, machine=profile), [*builtin_sections(), *sections])
    return PageContext(engine=engine, machine=profile, root=node, demo=demo)


def builtin_page(name: str) -> type[Page]:
    """A setup page by its `name` ("network"), found the way the setup TUI finds its pages."""
    from ovirt_node.ui.plugins import discover

    for page in discover().pages:
        if page.name == name:
            return load_page(page)
    raise LookupError(f"no setup page named {name!r}")


def canvas_text(widget: urwid.Widget, size: tuple[int, int] = SIZE) -> list[str]:
    """The rows `widget` draws at `size`, trailing blanks removed."""
    canvas = widget.render(size, focus=True)
    return [line.rstrip() for line in canvas.decoded_text]


def _norm(label: str) -> str:
    return label.strip().rstrip(":").strip().lower()


class PageHarness:
    """A page built as the application builds it, with a FakeUI, for tests."""

    def __init__(self, page_cls: type[Page], ctx: PageContext, *, ui: FakeUI | None = None,
                 mode: Mode = "color", size: tuple[int, int] = SIZE) -> None:
        self.ui = ui or FakeUI(ctx)
        if self.ui.ctx is None:
            self.ui.ctx = ctx
        self.size = size
        self.style = style_for(mode)
        self.view = build_view(page_cls, ctx, self.ui, self.style)

    # -- what is there ----------------------------------------------------------------------

    @property
    def page_view(self) -> PageView:
        if not isinstance(self.view, PageView):
            raise AssertionError("the page did not build; it shows: " + self.text())
        return self.view

    @property
    def broken(self) -> bool:
        return not isinstance(self.view, PageView)

    @property
    def form(self) -> Form:
        form = self.page_view.form
        if form is None:
            raise AssertionError("the page has no fields")
        return form

    def lines(self) -> list[str]:
        return canvas_text(self.view, self.size)

    def text(self) -> str:
        return "\n".join(self.lines())

    def field(self, key_or_label: str) -> FieldWidget:
        """The widget of a field, found by key or by label (case and a trailing colon ignored)."""
        widgets = [w for w in self.page_view.items if isinstance(w, FieldWidget)]
        for widget in widgets:
            if widget.key == key_or_label:
                return widget
        for widget in widgets:
            if _norm(widget.item.label) == _norm(key_or_label):
                return widget
        raise KeyError(f"no field {key_or_label!r}; fields: {[w.key for w in widgets]}")

    def item(self, key_or_label: str) -> Field:
        return self.field(key_or_label).item

    # -- doing things -----------------------------------------------------------------------

    def type(self, key_or_label: str, text: str, *, confirm: bool = True) -> None:
        """Replace the field's text, as typing it would (the same change signals fire).
        A password's confirmation gets the same text unless `confirm` is False."""
        widget = self.field(key_or_label)
        edit = getattr(widget, "edit", None)
        if not isinstance(edit, urwid.Edit):
            raise TypeError(f"{widget.key} is not a text field")
        edit.set_edit_text(text)
        if isinstance(widget, PasswordWidget) and widget.confirm is not None and confirm:
            widget.confirm.set_edit_text(text)

    def type_confirmation(self, key_or_label: str, text: str) -> None:
        widget = self.field(key_or_label)
        if not isinstance(widget, PasswordWidget) or widget.confirm is None:
            raise TypeError(f"{widget.key} has no confirmation")
        widget.confirm.set_edit_text(text)

    def keys(self, *keys: str) -> list[str]:
        """Send keys to the page; returns those it did not handle."""
        return [k for key in keys if (k := self.view.keypress(self.size, key)) is not None]

    def toggle(self, key_or_label: str) -> None:
        widget = self.field(key_or_label)
        if not isinstance(widget, CheckboxWidget):
            raise TypeError(f"{widget.key} is not a checkbox")
        widget.box.keypress((LABEL_COLS,), " ")

    def choose(self, key_or_label: str, value: str) -> None:
        """Pick a radio option or activate (select or toggle) a table row by its value."""
        widget = self.field(key_or_label)
        if isinstance(widget, ChoiceWidget):
            widget.buttons[value].keypress((LABEL_COLS,), " ")
        elif isinstance(widget, TableWidget):
            row = next((r for r in widget.row_widgets if r.row.value == value), None)
            if row is None:
                raise KeyError(f"{widget.key}: no selectable row {value!r}")
            row.keypress((LABEL_COLS,), "enter")
        else:
            raise TypeError(f"{widget.key} is not a choice or a table")

    def press(self, label: str) -> None:
        """Press a button by its label (Save and Reset included), as Enter would."""
        view = self.page_view
        for button in (view.save_button, view.reset_button):
            if button is not None and button.label == label:
                button.keypress((LABEL_COLS,), "enter")
                return
        for widget in view.items:
            if isinstance(widget, ButtonWidget) and widget.button.label == self.style.text(label):
                widget.button.keypress((LABEL_COLS,), "enter")
                return
        raise KeyError(f"no button {label!r}")

    def save(self) -> None:
        self.press(SAVE)

    # -- reading results --------------------------------------------------------------------

    def value(self, key_or_label: str) -> str:
        return self.form.typed(self.field(key_or_label).key)

    def error(self, key_or_label: str) -> str:
        """The inline error shown under the field ("" when none)."""
        return self.field(key_or_label).error.text

    def confirm_error(self, key_or_label: str) -> str:
        widget = self.field(key_or_label)
        if not isinstance(widget, PasswordWidget):
            raise TypeError(f"{widget.key} is not a password")
        return widget.confirm_error.text

    def hint(self, key_or_label: str) -> str:
        widget = self.field(key_or_label)
        if not isinstance(widget, PasswordWidget):
            raise TypeError(f"{widget.key} is not a password")
        return widget.hint.text

    def enabled(self, key_or_label: str) -> bool:
        return self.field(key_or_label).enabled

    @property
    def save_enabled(self) -> bool:
        button = self.page_view.save_button
        return button is not None and button.enabled

    def changes(self) -> dict[str, str]:
        """What Save would hand to the page now."""
        return self.form.changes()

    def plan(self) -> Transaction:
        """The transaction Save would run now (without running it)."""
        return self.form.plan()

    @property
    def planned(self) -> Transaction | None:
        """The last transaction Save handed to the UI."""
        return self.ui.transactions[-1] if self.ui.transactions else None


class DialogHarness(PageHarness):
    """A form dialog (`FakeUI.forms`) driven like a page: type, choose, `press("OK")`."""

    def __init__(self, dialog: Any, ui: FakeUI, *, size: tuple[int, int] = SIZE) -> None:
        self.ui = ui
        self.size = size
        self.style = dialog.style
        self.view = dialog

    @property
    def page_view(self) -> Any:
        return self.view

    @property
    def broken(self) -> bool:
        return False

    @property
    def open(self) -> bool:
        """Whether the dialog is still open (OK accepted or Cancel closes it)."""
        return self.view in self.ui.forms


__all__ = ["SIZE", "Dialog", "DialogHarness", "FakeUI", "PageHarness", "canvas_text", "confirm_key",
           "demo_root_copy", "page_context"]
