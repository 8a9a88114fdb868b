"""One page on screen: its title, its items (scrollable), and Save/Reset pinned below.

Save stays visibly disabled while the form is invalid or unchanged, with a word on why. A
page whose `layout()` (or constructor, or form) raises becomes a notice in its body, and the
rest of the UI carries on: a third-party plugin must never take the setup TUI down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable
from typing import Any

import urwid

from ovirt_node.core.engine import InvalidChanges
from ovirt_node.ui.build import build_item
from ovirt_node.ui.form import FORM_KEY, Form, fields_of
from ovirt_node.ui.page import Item, MenuPage, Page, PageContext, PageRef, PageUI, load_page
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import (
    ActionButton,
    FieldWidget,
    ItemWidget,
    Message,
    button_row,
    styled_button,
)
from ovirt_node.ui.wraptext import WrapText

log = logging.getLogger(__name__)

SAVE, RESET = "Save", "Reset"


def _title(text: str, style: Style) -> list[urwid.Widget]:
    return [urwid.Text(("title", style.text(text))), urwid.Divider(style.rule)]


def _focus_first_selectable(walker: urwid.SimpleFocusListWalker[Any]) -> None:
    for index, widget in enumerate(walker):
        if widget.selectable():
            walker.set_focus(index)
            return


class TopListBox(urwid.ListBox[int]):
    """A ListBox that shows the top of its list, with the focus on the first field below any
    introduction (a plain ListBox would scroll the introduction away). Until the operator
    moves, the top stays in view as values computed in workers arrive and grow the lines
    above the focus (a plain ListBox keeps the focus still and pushes them off the top)."""

    def __init__(self, walker: urwid.SimpleFocusListWalker[Any]) -> None:
        super().__init__(walker)
        self._walker = walker
        self._pinned = True

    def render(self, size: tuple[int, int], focus: bool = False) -> urwid.Canvas:  # type: ignore[override]
        if self._pinned:
            self._pin_top(size)
        return super().render(size, focus)

    def _pin_top(self, size: tuple[int, int]) -> None:
        position = self._walker.focus
        if not position:
            return
        cols, rows = size
        above = sum(w.rows((cols,)) for w in list(self._walker)[:position])
        # When the top and the focus cannot both show, as much of the top as can.
        inset = max(0, min(above, rows - self._walker[position].rows((cols,), True)))
        self.change_focus(size, position, offset_inset=inset)

    def keypress(self, size: tuple[int, int], key: str) -> str | None:  # type: ignore[override]
        self._pinned = False
        return super().keypress(size, key)

    def mouse_event(self, size: tuple[int, int], event: str, button: int, col: int, row: int,  # type: ignore[override]
                    focus: bool) -> bool | None:
        self._pinned = False
        return super().mouse_event(size, event, button, col, row, focus)


class PageView(urwid.WidgetWrap[urwid.Pile]):
    """The widgets of one page bound to one `Form`."""

    def __init__(self, page: Page, ui: PageUI, style: Style, items: list[Item] | None = None,
                 form: Form | None = None) -> None:
        """`items` and `form` carry a page over to a new look (F4) with what was typed."""
        self.page = page
        self.ui = ui
        page.ui = ui
        self.style = style
        items = list(page.layout()) if items is None else items
        self.item_specs = items
        if form is None and fields_of(items):
            form = Form(page, items)
        self.form: Form | None = form
        self.items: list[ItemWidget] = []
        body: list[urwid.Widget] = []
        for item in items:
            try:
                widget = build_item(item, self.form, style, ui, page.ctx)
            except Exception as exc:
                log.exception("page %s: cannot show %r", page.name, item)
                body.append(urwid.Text(("error", style.text(f"(this item cannot be shown: {exc})"))))
                continue
            self.items.append(widget)
            body.append(widget)
        self.form_error = Message(style)
        body.append(self.form_error)
        self.walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker(body)
        _focus_first_selectable(self.walker)
        # The title stays put while the items scroll.
        parts: list[Any] = [("pack", w) for w in _title(page.title, style)]
        parts.append(("weight", 1, TopListBox(self.walker)))
        self.save_button: ActionButton | None = None
        self.reset_button: ActionButton | None = None
        self.status = urwid.Text("")
        self.help_line = WrapText("")  # whole words on as many lines as it needs
        if self.form is not None:
            parts.append(("pack", self.help_line))
        if page.editable and self.form is not None:
            self.save_button = ActionButton(SAVE, self.save)
            self.reset_button = ActionButton(RESET, self.reset)
            self._save_look = styled_button(self.save_button)
            buttons = button_row([self._save_look, styled_button(self.reset_button)])
            parts += [("pack", urwid.Divider(style.rule)), ("pack", urwid.Columns([("pack", buttons), self.status],
                                                                                   dividechars=2))]
        super().__init__(urwid.Pile(parts))
        if self.form is not None:
            self.form.subscribe(self.refresh)
        self.refresh()

    # -- keeping the widgets in step with the form ------------------------------------------

    def render(self, size: tuple[int, int], focus: bool = False) -> urwid.Canvas:  # type: ignore[override]
        self._show_help()
        return super().render(size, focus)

    def _show_help(self) -> None:
        """The focused field's help (or its engine key's), in the line above Save."""
        widget = self.walker.get_focus()[0]
        text = ""
        if isinstance(widget, FieldWidget) and self.form is not None:
            key = self.form.engine.keys.get(widget.key)
            text = widget.item.help or (key.help if key is not None else "")
            text = text[:1].upper() + text[1:] if text else ""
        self.help_line.set_text(("notice", self.style.text(text)))

    def refresh(self) -> None:
        for widget in self.items:
            widget.refresh()
        if self.form is None:
            return
        self.form_error.set(self.form.errors().get(FORM_KEY, ""))
        if self.save_button is not None:
            can = self.form.can_save
            self.save_button.enabled = can
            look: dict[Hashable, Hashable] = {None: "button" if can else "button disabled"}
            focus_look: dict[Hashable, Hashable] = {None: "button focus" if can else "button disabled"}
            self._save_look.set_attr_map(look)
            self._save_look.set_focus_map(focus_look)
            if not can:
                from ovirt_node.ui import focus  # a page with a form; the Status page has none

                focus.keep_live(self)  # never leave the focus on the greyed Save (after a save)
            if can:
                self.status.set_text("")
            elif not self.form.valid:
                self.status.set_text(("error", "Fix the marked fields to save"))
            else:
                self.status.set_text(("notice", "No changes to save"))

    def to_problem(self) -> bool:
        """F10 while Save is greyed by an error: the focus on the first field with one."""
        for index, widget in enumerate(self.walker):
            message = getattr(getattr(widget, "error", None), "text", "")
            if message and widget.selectable():
                self.walker.set_focus(index)
                self._w.focus_position = self._w.contents.index(next(
                    c for c in self._w.contents if isinstance(c[0], TopListBox)))
                return True
        return False

    def restyle(self, style: Style) -> PageView:
        """The same page, form and typed values, drawn in another style."""
        self.detach()
        return PageView(self.page, self.ui, style, self.item_specs, self.form)

    def detach(self) -> None:
        """Stop following the form (the view is being replaced)."""
        if self.form is not None:
            self.form.unsubscribe(self.refresh)

    # -- Save and Reset ---------------------------------------------------------------------

    def changed_labels(self) -> list[str]:
        """The labels of the fields whose value differs from what was loaded (unsaved)."""
        if self.form is None:
            return []
        changed = self.form.changes()
        labels = {f.key: f.label.strip().rstrip(":").strip() or f.key for f in fields_of(self.item_specs)}
        return [labels.get(key, key) for key in changed]

    def save(self, then: Callable[[bool], None] | None = None) -> None:
        """Save the changes; `then(ok)` runs once the transaction ended (not when nothing ran)."""
        form = self.form
        if form is None or not form.can_save:
            return
        try:
            tx = form.plan()
        except InvalidChanges:
            return  # the form now shows the engine's reasons next to the fields
        except Exception as exc:
            log.exception("page %s: planning the save failed", self.page.name)
            from ovirt_node.core import explain  # only when something failed

            self.ui.info("Cannot save", explain.sentence("Preparing the changes", exc))
            return
        if not tx.steps:
            form.reset()
            self.ui.info("Nothing to change", "The node already has these values.")
            return
        def done(ok: bool) -> None:
            if ok:
                self.reset()
            if then is not None:
                then(ok)

        self.ui.run_transaction(tx, on_done=done, confirm=self.page.confirmation())

    def reset(self) -> None:
        """Show what the system has now: field values, and the values workers compute."""
        if self.form is not None:
            self.form.reset()
        for widget in self.items:
            widget.reload()


def broken_view(title: str, exc: BaseException, style: Style) -> urwid.ListBox[int]:
    """The notice shown in place of a page that could not be built."""
    lines: list[Any] = [
        *_title(title, style),
        urwid.Text(("error", "This page could not be shown.")),
        urwid.Divider(),
        urwid.Text(style.text(f"{type(exc).__name__}: {exc}")),
        urwid.Divider(),
        urwid.Text(("notice", "The details are in the log. The other pages work as usual.")),
    ]
    return urwid.ListBox(urwid.SimpleFocusListWalker(lines))


def build_view(page: MenuPage, ctx: PageContext, ui: PageUI, style: Style) -> urwid.Widget:
    """A PageView, or the broken-page notice when anything about the page raises (its
    module's import too, for a page the menu listed by reference)."""
    title = getattr(page, "title", getattr(page, "__name__", "?"))
    try:
        return PageView(load_page(page)(ctx), ui, style)
    except Exception as exc:
        log.exception("page %s (%s) failed to build", getattr(page, "name", "?"),
                      page.target if isinstance(page, PageRef) else page.__qualname__)
        return broken_view(str(title), exc, style)
