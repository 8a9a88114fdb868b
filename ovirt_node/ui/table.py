"""A table field: a header and a scrollable list of rows filled by a worker, one Tab stop,
with type-to-search; its columns fit the width it is drawn at."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, ClassVar, cast

import urwid

from ovirt_node.core import explain
from ovirt_node.ui.form import Form
from ovirt_node.ui.page import PageContext, PageUI, Row, Table
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import LABEL_WIDTH, BoundUI, Clickable, FieldWidget, indented, make_edit
from ovirt_node.ui.wraptext import WrapText

log = logging.getLogger(__name__)

#: Letters typed on a table within this many seconds of each other make one search prefix.
TYPE_AHEAD_SECONDS = 1.0
#: A cell wider than this is cut (fit_widths shrinks the widest further when the screen is narrow).
MAX_CELL = 32


class DisabledRow(urwid.WidgetWrap[urwid.Widget]):
    """A row that cannot be picked: its cells, then why: on the same line when it fits, else
    on lines of its own indented under the cells, so a long reason never runs through the
    columns."""

    def __init__(self, text: str, reason: str, indent: int) -> None:
        self.text, self.reason = text, reason
        self.line = urwid.Text("", wrap="clip")
        self.cells = urwid.Text("", wrap="clip")
        self.below = WrapText(("disabled", reason))
        self.pile = urwid.Pile([self.cells, urwid.Padding(self.below, left=indent)])
        self._width = -1
        super().__init__(self.line)
        self.set_text(text)

    def set_text(self, text: str) -> None:
        self.text = text
        self.line.set_text(("disabled", f"{text.rstrip()} {self.reason}"))
        self.cells.set_text(("disabled", text))
        self._width = -1

    def _lay_out(self, cols: int) -> None:
        if cols != self._width:
            self._width = cols
            self._w = self.line if len(self.text.rstrip()) + 1 + len(self.reason) <= cols else self.pile

    def rows(self, size: tuple[int], focus: bool = False) -> int:
        self._lay_out(size[0])
        return super().rows(size, focus)

    def render(self, size: tuple[int], focus: bool = False) -> urwid.Canvas:  # type: ignore[override]
        self._lay_out(size[0])
        return super().render(size, focus)


class TableRow(urwid.WidgetWrap[urwid.AttrMap[Any]]):
    """One selectable row: marker plus cells; activating it picks or toggles it. Its cells
    are cut to the columns' widths, except while it has the focus: then it shows its whole
    text (on more lines if need be), so nothing is hidden from the operator."""

    signals: ClassVar[list[str]] = ["activate"]

    def __init__(self, row: Row, text: str, full: str = "") -> None:
        self.row = row
        self.short, self.full = text, full or text
        self.icon = Clickable(text, 1)
        urwid.connect_signal(self.icon, "click", lambda _icon: self._emit("activate"))
        super().__init__(urwid.AttrMap(self.icon, None, "field focus"))

    def set_text(self, text: str, full: str = "") -> None:
        self.short, self.full = text, full or text
        self.icon.set_text(text)

    def _show(self, focus: bool) -> None:
        text = self.full if focus else self.short
        if self.icon.text != text:
            self.icon.set_text(text)

    def rows(self, size: tuple[int], focus: bool = False) -> int:
        self._show(focus)
        return super().rows(size, focus)

    def render(self, size: tuple[int], focus: bool = False) -> urwid.Canvas:  # type: ignore[override]
        self._show(focus)
        return super().render(size, focus)


class TableWidget(FieldWidget):
    """Header plus a scrollable list of rows, filled by a worker. Disabled rows show why.

    With `search`, a "Search:" entry sits above the header: what is typed there (or typed
    while a row has the focus) keeps only the rows containing it, and the focus jumps to the
    first row that starts with it; Enter in the entry picks that row."""

    item: Table
    #: One Tab stop however many rows (hundreds of keymaps): the arrows and typing walk them.
    tab_stop = True

    def __init__(self, item: Table, form: Form, style: Style, ui: PageUI, ctx: PageContext) -> None:
        self.walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker(
            [urwid.Text(("notice", f"{style.ellipsis} loading"))]
        )
        self.header = urwid.Text("")
        self.table_rows: list[Row] = []
        self.row_widgets: list[TableRow] = []
        self.widths: list[int] = []
        #: The widths the cells want (up to MAX_CELL), and the columns they were fitted to.
        self.natural: list[int] = []
        self._fitted_to = -1
        self.columns: list[str] = []
        self._shown: list[Row | None] = []
        self.filter = ""
        self._typed, self._typed_at = "", 0.0
        # The bar (with end markers) shows only when there are more rows than fit.
        scrolled = urwid.ScrollBar(urwid.ListBox(self.walker), thumb_char=style.scroll_thumb,
                                   trough_char=style.scroll_trough, end_markers=style.scroll_ends)
        self.box = urwid.BoxAdapter(scrolled, 1)
        parts: list[urwid.Widget] = [self.header, self.box]
        if item.search:
            # Named `edit` like a text field's, so PageHarness.type() types into the search.
            self.edit = make_edit("", style)
            urwid.connect_signal(self.edit, "postchange", lambda edit, _old: self._search(edit.edit_text))
            search = urwid.Columns([("pack", urwid.Text(("label", "Search: "))),
                                    urwid.AttrMap(self.edit, "field", "field focus")])
            parts.insert(0, search)
        self.body = urwid.Pile(parts)
        body = indented(self.body) if item.indent else self.body
        super().__init__(item, form, style, [urwid.Text(("label", style.text(item.label))), body])
        self.ui, self.ctx = ui, ctx
        self.reload()

    def reload(self) -> None:
        item, ctx = self.item, self.ctx
        self._generation = getattr(self, "_generation", 0) + 1
        generation = self._generation

        def loaded(result: object) -> None:
            if generation == self._generation:  # an older answer must not replace a newer one
                self._loaded(result)

        self.ui.run_in_worker(lambda: list(item.rows(ctx)), loaded)

    def _selected(self) -> list[str]:
        assert self.form is not None
        value = self.form.typed(self.key)
        if self.item.multi:
            return [v for v in value.split(",") if v]
        return [value] if value else []

    def _marker(self, row: Row) -> str:
        if self.item.on_activate is not None:
            return " " * len(self.style.radio_off)  # rows open something: nothing to mark
        on = row.value in self._selected()
        if self.item.multi:
            return self.style.check_on if on else self.style.check_off
        return self.style.radio_on if on else self.style.radio_off

    def _cells(self, cells: Sequence[str], widths: Sequence[int] | None = None) -> str:
        shown = []
        for width, cell in zip(self.widths if widths is None else widths, cells, strict=False):
            text = self.style.text(cell)
            if len(text) > width:
                text = text[: max(width - len(self.style.ellipsis), 0)] + self.style.ellipsis
            shown.append(text.ljust(width))
        return " ".join(shown).rstrip()

    def _loaded(self, result: object) -> None:
        if isinstance(result, BaseException) or not isinstance(result, list):
            why = explain.cause(result) if isinstance(result, BaseException) else repr(result)
            self.walker[:] = [urwid.Text(("error", self.style.text(f"could not list the rows: {why}")))]
            return
        self.table_rows = [r for r in result if isinstance(r, Row)]
        columns = list(self.item.columns)
        count = max([len(columns), *(len(r.cells) for r in self.table_rows)])
        columns += [""] * (count - len(columns))
        self.natural = [
            min(MAX_CELL, max([len(columns[i]), *(len(r.cells[i]) for r in self.table_rows if i < len(r.cells))]))
            for i in range(count)
        ]
        self.columns = columns
        self.widths = list(self.natural)
        if self._fitted_to > 0:
            self.widths = fit_widths(self.natural, self._room(self._fitted_to))
        self._show_header()
        self._show_rows()

    def _show_header(self) -> None:
        pad = " " * (len(self.style.radio_off) + 1)
        self.header.set_text(("label", pad + self._cells(self.columns)))

    def _room(self, cols: int) -> int:
        """Columns left for the cells in a widget `cols` wide: less the indent, the marker
        and the scroll bar."""
        indent = LABEL_WIDTH + 1 if self.item.indent else 0
        return cols - indent - len(self.style.radio_off) - 1 - 1

    def _refit(self, cols: int) -> None:
        """Shrink the widest columns until a row fits `cols` (no row wraps, at 80 columns
        too); rows are laid out again only when the width changed."""
        if cols == self._fitted_to:
            return
        self._fitted_to = cols
        if not self.natural:
            return
        widths = fit_widths(self.natural, self._room(cols))
        if widths == self.widths:
            return
        self.widths = widths
        self._show_header()
        for index, widget in enumerate(self.walker):
            if isinstance(widget, TableRow):
                widget.set_text(*self._row_texts(widget.row))
            elif isinstance(widget, DisabledRow) and index < len(self._shown):
                row = self._shown[index]
                if row is not None:
                    widget.set_text(self._disabled_text(row))

    def _fit_height(self, cols: int) -> None:
        """A short table as tall as its rows' lines (a disabled row's reason takes lines of
        its own), so every row shows whole; a searchable one keeps its height while filtering."""
        if self.item.search:
            return
        room = cols - (LABEL_WIDTH + 1 if self.item.indent else 0) - 1
        lines = 0
        for widget in self.walker:
            lines += widget.rows((max(room, 1),))
            if lines >= self.item.height:
                break
        height = max(1, min(lines, self.item.height))
        if height != self.box.height:
            self.box.height = height
            self.body._invalidate()

    def rows(self, size: tuple[int], focus: bool = False) -> int:
        self._refit(size[0])
        self._fit_height(size[0])
        return super().rows(size, focus)

    def render(self, size: tuple[int], focus: bool = False) -> urwid.Canvas:  # type: ignore[override]
        self._refit(size[0])
        self._fit_height(size[0])
        return super().render(size, focus)

    def _row_texts(self, row: Row) -> tuple[str, str]:
        """A row as shown (cut to the widths) and as shown while focused (whole)."""
        marker = self._marker(row)
        cells = [self.style.text(c) for c in row.cells]
        # Aligned like the others, but a cell cut in the columns is shown whole (the rest
        # moves right, and wraps if it must).
        whole = " ".join(c.ljust(w) for c, w in zip(cells, self.widths, strict=False)).rstrip()
        whole += "".join(f" {c}" for c in cells[len(self.widths):])
        return f"{marker} {self._cells(row.cells)}", f"{marker} {whole}"

    def _disabled_text(self, row: Row) -> str:
        return self.style.text(f"{'-' * len(self.style.radio_off)} {self._cells(row.cells)}")

    def _matches(self, row: Row) -> bool:
        needle = self.filter.casefold()
        return not needle or any(needle in text.casefold() for text in (row.value, *row.cells))

    def _show_rows(self) -> None:
        widgets: list[urwid.Widget] = []
        self.row_widgets = []
        #: The row behind each disabled line (None for others), to lay it out again on a resize.
        self._shown = []
        for row in filter(self._matches, self.table_rows):
            if row.enabled:
                widget = TableRow(row, *self._row_texts(row))
                urwid.connect_signal(widget, "activate", self._activate, user_args=[row])
                self.row_widgets.append(widget)
                widgets.append(widget)
                self._shown.append(None)
            else:
                reason = self.style.text(f"({row.reason or 'unavailable'})")
                widgets.append(DisabledRow(self._disabled_text(row), reason, len(self.style.radio_off) + 1))
                self._shown.append(row)
        if not widgets:
            empty = f"(no row contains {self.filter!r})" if self.table_rows else "(nothing to list)"
            widgets = [urwid.Text(("notice", self.style.text(empty)))]
        self.walker[:] = widgets
        # A searchable table keeps its height while filtering, so the page does not jump.
        shown = len(self.table_rows) if self.item.search else len(widgets)
        self.box.height = max(1, min(shown, self.item.height))
        best = self._best_match()
        if best is None:  # a long list opens at the row chosen now
            chosen = self._selected()
            best = next((w for w in self.row_widgets if w.row.value in chosen), None)
        if best is not None:
            self.walker.set_focus(self.walker.index(best))

    def _best_match(self) -> TableRow | None:
        """The first shown row whose value (or first cell) starts with the search text."""
        needle = self.filter.casefold()
        if not needle or not self.row_widgets:
            return None
        for widget in self.row_widgets:
            if any(t.casefold().startswith(needle) for t in (widget.row.value, *widget.row.cells[:1])):
                return widget
        return self.row_widgets[0]

    def _search(self, text: str) -> None:
        self.filter = text.strip()
        if self.table_rows:
            self._show_rows()

    def keypress(self, size: tuple[int], key: str) -> str | None:  # type: ignore[override]
        if self.item.search and self.enabled:
            on_rows = self.body.focus is self.box
            if on_rows and len(key) == 1 and key != " " and key.isprintable() and self.edit.valid_char(key):
                self.body.focus_position = 0  # typing on the rows searches: on into the entry
                self.edit.set_edit_pos(len(self.edit.edit_text))
                self.edit.insert_text(key)
                return None
            if on_rows and key == "backspace" and self.edit.edit_text:
                self.edit.set_edit_text(self.edit.edit_text[:-1])
                return None
            if not on_rows and self._command_map[key] == urwid.ACTIVATE and key != " ":
                best = self._best_match()
                if best is not None:
                    self._activate(best.row, best)
                    return None
        elif self.enabled and len(key) == 1 and key.isalnum() and self.row_widgets:
            self._jump(key)
            return None
        return super().keypress(size, key)

    def _jump(self, key: str) -> None:
        """Type-to-search on a table without a search entry: letters typed within a second
        of each other make a prefix, and the focus goes to the first row (by its value or
        first cell) that starts with it; a prefix no row has starts again at this letter."""
        now = time.monotonic()
        prefix = (self._typed if now - self._typed_at < TYPE_AHEAD_SECONDS else "") + key.casefold()
        self._typed_at = now
        for attempt in (prefix, key.casefold()):
            match = next((w for w in self.row_widgets if any(
                t.casefold().startswith(attempt) for t in (w.row.value, *w.row.cells[:1]))), None)
            if match is not None:
                self._typed = attempt
                self.walker.set_focus(self.walker.index(match))
                return
        self._typed = ""

    def _activate(self, row: Row, _widget: TableRow) -> None:
        if self.item.on_activate is not None:
            try:
                self.item.on_activate(cast(PageUI, BoundUI(self.ui, self.form)), row.value)
            except Exception as exc:  # a page's handler must not take the UI down
                log.exception("table %r: activating %r failed", self.key, row.value)
                self.ui.info("Error", explain.sentence(row.value, exc))
            return
        if self.item.multi:
            chosen = set(self._selected()) ^ {row.value}
            self.on_value(",".join(r.value for r in self.table_rows if r.value in chosen))
        else:
            self.on_value(row.value)
        self._redraw_markers()

    def _redraw_markers(self) -> None:
        for widget in self.row_widgets:
            widget.set_text(*self._row_texts(widget.row))

    def show(self, value: str) -> None:
        self._redraw_markers()


def fit_widths(natural: Sequence[int], room: int, least: int = 4) -> list[int]:
    """`natural` column widths shrunk, widest first, until they and the gaps between them
    fit in `room` columns (no column below `least`, so it never fits, say, under 20)."""
    widths = list(natural)
    while widths and sum(widths) + len(widths) - 1 > room:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= least:
            break
        widths[widest] -= 1
    return widths
