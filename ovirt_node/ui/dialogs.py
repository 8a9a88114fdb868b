"""Dialogs: info, confirm, text viewer and transaction progress.

A dialog is a framed widget the application lays over the screen; it closes itself through
the `close` callback it was given, so the application keeps the stack. Confirmations focus
Cancel first: Enter on a dialog that appeared unexpectedly must never do the dangerous thing.

The progress dialog runs a Transaction in a worker thread. Progress events are posted to the
main loop through a `Dispatcher`; only the main loop touches the widgets. While it runs the
dialog cannot be closed (Esc is ignored): a half-applied change must be seen to its end.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import urwid

from ovirt_node.core import explain
from ovirt_node.core.transaction import (
    Confirmation,
    Progress,
    StepState,
    Transaction,
    TransactionError,
    TransactionLocked,
)
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import PushButton, button_row, styled_button
from ovirt_node.ui.worker import Dispatcher, start_worker
from ovirt_node.ui.wraptext import WrapText

if TYPE_CHECKING:
    from ovirt_node.core.context import Context

log = logging.getLogger(__name__)

OK, CANCEL, CLOSE = "OK", "Cancel", "Close"
#: (width, height) of a dialog over the screen: a number of columns/rows, or a percentage.
Size = tuple[Any, Any]


class Dialog(urwid.WidgetWrap[urwid.AttrMap[Any]]):
    """A titled frame around a body and a row of buttons."""

    #: Esc closes it (the application asks `closable` before it closes a dialog).
    closable = True
    size: Size = (60, "pack")

    def __init__(self, title: str, body: urwid.Widget, buttons: list[PushButton], style: Style,
                 close: Callable[[Dialog], None], *, box: bool = False) -> None:
        self.title = title
        self.style = style
        self._close = close
        self.buttons = buttons
        self.button_bar = urwid.Padding(button_row([styled_button(b, "dialog ") for b in buttons]), left=1, right=1)
        body = urwid.Padding(body, left=1, right=1)
        parts: list[Any] = [("weight", 1, body) if box else body, ("pack", urwid.Divider()), ("pack", self.button_bar)]
        self.pile = urwid.Pile(parts)
        tl, t, tr, left, right, bl, b, br = style.box
        frame = urwid.LineBox(self.pile, title=style.text(title), title_attr="dialog title",
                              tlcorner=tl, tline=t, trcorner=tr, lline=left, rline=right,
                              blcorner=bl, bline=b, brcorner=br)
        super().__init__(urwid.AttrMap(frame, "dialog"))
        if buttons:
            self.pile.focus_position = len(parts) - 1

    def close(self) -> None:
        self._close(self)

    def focus_button(self, label: str) -> None:
        columns = self.button_bar.original_widget
        assert isinstance(columns, urwid.Columns)
        for index, button in enumerate(self.buttons):
            if button.label == label:
                columns.focus_position = index


def _button(label: str, on_press: Callable[[], None]) -> PushButton:
    return PushButton(label, on_press)


def _text(text: str, style: Style, attr: str = "dialog") -> urwid.Text:
    return WrapText((attr, style.text(text)))


#: Texts taller than this (in rows at the dialog's width) scroll, so the buttons stay on screen.
MAX_FLOW_ROWS = 12
_FLOW_WIDTH = 56


def _rows(text: str) -> int:
    return sum(max(1, -(-len(line) // _FLOW_WIDTH)) for line in text.splitlines() or [""])


class MessageDialog(Dialog):
    """A text and buttons; a long text becomes a scrollable list instead of running off screen."""

    def __init__(self, title: str, text: str, buttons: list[PushButton], style: Style,
                 close: Callable[[Dialog], None]) -> None:
        if _rows(text) <= MAX_FLOW_ROWS:
            super().__init__(title, _text(text, style), buttons, style, close)
            return
        self.size = (("relative", 90), ("relative", 85))
        lines = [_text(line, style) for line in text.splitlines()]
        self.listbox = urwid.ListBox(urwid.SimpleFocusListWalker(lines))
        super().__init__(title, self.listbox, buttons, style, close, box=True)

    def keypress(self, size: Any, key: str) -> str | None:
        listbox = getattr(self, "listbox", None)
        if listbox is not None and key in ("page up", "page down", "up", "down", "home", "end"):
            listbox.keypress((max(size[0] - 4, 1), max(size[1] - 4, 1)), key)
            return None
        result: str | None = super().keypress(size, key)
        return result


class InfoDialog(MessageDialog):
    def __init__(self, title: str, text: str, style: Style, close: Callable[[Dialog], None]) -> None:
        super().__init__(title, text, [_button(OK, lambda: self.close())], style, close)


class ConfirmDialog(MessageDialog):
    """OK runs `on_yes` (after closing); Cancel and Esc only close."""

    def __init__(self, title: str, text: str, on_yes: Callable[[], None], style: Style,
                 close: Callable[[Dialog], None]) -> None:
        self.on_yes = on_yes
        buttons = [_button(OK, self._yes), _button(CANCEL, lambda: self.close())]
        super().__init__(title, text, buttons, style, close)
        self.focus_button(CANCEL)

    def _yes(self) -> None:
        self.close()
        self.on_yes()


class TextDialog(MessageDialog):
    """A scrollable viewer for long text (command output, key fingerprints, logs); the arrows,
    PgUp/PgDn and Home/End scroll the text while the focus stays on Close; a log opens at its
    newest line (`at_end`). `/` starts a search: type,
    Enter finds the next line holding the text (ignoring case, wrapping around), `n` the next."""

    def __init__(self, title: str, text: str, style: Style, close: Callable[[Dialog], None], *,
                 at_end: bool = False) -> None:
        self.texts = text.expandtabs().splitlines() or [""]
        self.lines = [_text(line, style) for line in self.texts]
        self.size = (("relative", 90), ("relative", 85))
        self.listbox = urwid.ListBox(urwid.SimpleFocusListWalker(self.lines))
        self.query: str | None = None  # being typed after `/`
        self.found_query = ""
        self.found: int | None = None
        self.find_line = urwid.Text("")
        body = urwid.Pile([("weight", 1, self.listbox), ("pack", self.find_line)])
        Dialog.__init__(self, title, body, [_button(CLOSE, lambda: self.close())], style, close, box=True)
        self._show_find_help()
        if at_end:  # a log: the newest line is what the operator came for
            self.listbox.set_focus(len(self.lines) - 1, coming_from="above")

    def _show_find_help(self, note: str = "") -> None:
        help_text = "/ find" + ("  n next" if self.found_query else "")
        self.find_line.set_text(("dialog", self.style.text(f"{note}  {help_text}" if note else help_text)))

    def keypress(self, size: Any, key: str) -> str | None:
        if self.query is not None:
            return self._typing(key)
        if key == "/":
            self.query = ""
            self.find_line.set_text(("dialog title", "Find: "))
            return None
        if key == "n" and self.found_query:
            self.find(self.found_query)
            return None
        return super().keypress(size, key)

    def _typing(self, key: str) -> str | None:
        assert self.query is not None
        if key == "enter":
            query, self.query = self.query, None
            if query:
                self.find(query)
            else:
                self._show_find_help()
        elif key == "backspace":
            self.query = self.query[:-1]
        elif len(key) == 1 and key.isprintable():
            self.query += key
        else:
            return key
        if self.query is not None:
            self.find_line.set_text(("dialog title", f"Find: {self.query}"))
        return None

    def find(self, query: str) -> None:
        """Focus the next line (after the last match) that holds `query`, ignoring case."""
        self.found_query = query
        needle = query.lower()
        start = -1 if self.found is None else self.found
        count = len(self.texts)
        for step in range(1, count + 1):
            index = (start + step) % count
            if needle in self.texts[index].lower():
                self._mark(index)
                wrapped = " (from the top)" if self.found is not None and index <= start else ""
                self.found = index
                self._show_find_help(f"line {index + 1} of {count}{wrapped}")
                return
        self._show_find_help(f"not found: {query}")

    def _mark(self, index: int) -> None:
        if self.found is not None:
            self.lines[self.found].set_text(("dialog", self.style.text(self.texts[self.found])))
        self.lines[index].set_text(("field focus", self.style.text(self.texts[index])))
        self.listbox.set_focus(index, coming_from="above")


def step_line(event: Progress) -> str:
    state = event.state.value
    detail = f" ({event.detail})" if event.detail and event.state is not StepState.RUNNING else ""
    return f"({event.index}/{event.total}) {event.title}: {state}{detail}"


class ProgressDialog(Dialog):
    """Runs `tx` in a worker and shows each step as its events arrive, then the outcome."""

    size: Size = (("relative", 90), ("relative", 80))

    def __init__(self, tx: Transaction, ctx: Context, dispatcher: Dispatcher, style: Style,
                 close: Callable[[Dialog], None], on_done: Callable[[bool], None] | None = None,
                 confirm: Confirmation | None = None) -> None:
        self.tx = tx
        self.confirm = confirm
        self.ctx = ctx
        self.dispatcher = dispatcher
        self.on_done = on_done
        self.running = False
        self.ok: bool | None = None
        self.lines: dict[int, urwid.Text] = {}
        self.failed: dict[int, Progress] = {}
        self.walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker([])
        for index, step in enumerate(tx.steps, 1):
            line = _text(f"({index}/{len(tx.steps)}) {step.title}: pending", style)
            self.lines[index] = line
            self.walker.append(line)
        self.result = _text(f"Applying {style.ellipsis}", style)
        self.walker.append(urwid.Divider())
        self.walker.append(self.result)
        self.close_button = _button(CLOSE, lambda: self.close())
        super().__init__(tx.title, urwid.ListBox(self.walker), [], style, close, box=True)

    @property
    def closable(self) -> bool:  # type: ignore[override]
        return not self.running

    def start(self) -> None:
        self.running = True

        def progress(event: Progress) -> None:  # worker thread: hand over, touch nothing
            self.dispatcher.post(lambda: self.update(event))

        def work() -> object:
            self.tx.run(self.ctx, progress, confirm=self.confirm)
            return None

        start_worker(work, self.finished, self.dispatcher, name="ovirt-node-transaction")

    def update(self, event: Progress) -> None:
        line = self.lines.get(event.index)
        if line is None:
            return
        if event.state is StepState.FAILED:
            self.failed[event.index] = event
        failure = self.failed.get(event.index)
        text = step_line(event)
        if failure is not None and event.state is StepState.ROLLED_BACK:
            text = f"{step_line(failure)}; rolled back"
        attr = "dialog error" if failure is not None else "dialog"
        line.set_text((attr, self.style.text(text)))
        self.walker.set_focus(self.walker.index(line))

    def finished(self, result: object) -> None:
        self.running = False
        self.ok = result is None
        if result is None:
            skipped = sum(1 for s in self.tx.steps if s.skip_reason(self.ctx))
            note = f" ({skipped} skipped)" if skipped else ""
            text, attr = f"Done: {len(self.tx.steps)} steps applied{note}.", "dialog title"
        elif isinstance(result, TransactionError):
            if result.rollback_errors:
                after = "The rollback was incomplete: " + "; ".join(result.rollback_errors)
            else:
                after = f"The change was rolled back: the node is as it was before. {explain.advice(result.cause)}"
            text, attr = f"Failed: {result.step}: {result.reason}\n{after}", "dialog error"
        elif isinstance(result, TransactionLocked):
            text, attr = f"Not applied: {result}", "dialog error"
        else:
            failed = result if isinstance(result, BaseException) else RuntimeError(str(result))
            text, attr = explain.sentence("Applying the changes", failed), "dialog error"
        log.info("transaction %r finished: %s", self.tx.title, text.replace("\n", " "))
        self.result.set_text((attr, self.style.text(text)))
        self.walker.set_focus(len(self.walker) - 1)
        self.buttons.append(self.close_button)
        self.button_bar.original_widget = button_row([styled_button(self.close_button, "dialog ")])
        self.pile.focus_position = len(self.pile.contents) - 1
        if self.on_done is not None:
            self.on_done(bool(self.ok))
