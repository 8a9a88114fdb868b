"""The application's own full-screen pieces: the size guard, the lock screen, the page menu.

The size guard wraps the top widget: below 80x24 it draws a notice instead of the UI, and a
render that raises anyway is logged and drawn as a notice too, so resizing a terminal (or a
buggy page) never crashes the program; the next resize or key redraws the real thing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

import urwid
from urwid.canvas import apply_text_layout
from urwid.text_layout import default_layout as layout

from ovirt_node.ui.auth import Authenticator
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import make_edit
from ovirt_node.ui.wraptext import wrap

log = logging.getLogger(__name__)

MIN_COLS, MIN_ROWS = 80, 24


def _notice(text: str, attr: str, size: tuple[int, int]) -> urwid.Canvas:
    cols, rows = size
    try:
        return urwid.AttrMap(urwid.Filler(urwid.Text(text, align="center", wrap="space"), valign="middle"),
                             attr).render(size)
    except Exception:  # a size too small even for the notice: a blank screen, never a crash
        return urwid.SolidCanvas(" ", cols, rows)


class SizeGuard(urwid.WidgetWrap[urwid.Widget]):
    """Draws "Terminal too small" below the minimum; keeps the last size for the key filter."""

    def __init__(self, widget: urwid.Widget) -> None:
        self.size: tuple[int, int] = (MIN_COLS, MIN_ROWS)
        super().__init__(widget)

    @property
    def too_small(self) -> bool:
        return self.size[0] < MIN_COLS or self.size[1] < MIN_ROWS

    def render(self, size: tuple[int, int], focus: bool = False) -> urwid.Canvas:  # type: ignore[override]
        self.size = size
        if self.too_small:
            cols, rows = size
            return _notice(f"Terminal too small: need {MIN_COLS}x{MIN_ROWS}, have {cols}x{rows}", "too small", size)
        try:
            return self._w.render(size, focus)
        except Exception as exc:
            log.exception("drawing the screen failed")
            return _notice(f"Could not draw the screen ({type(exc).__name__}); see the log.", "too small", size)

    def keypress(self, size: tuple[int, int], key: str) -> str | None:  # type: ignore[override]
        if self.too_small:
            return None
        result: str | None = self._w.keypress(size, key)
        return result


class LockScreen(urwid.WidgetWrap[urwid.AttrMap[Any]]):
    """Full screen; only the admin password (checked in a worker) unlocks it."""

    def __init__(self, product: str, authenticator: Authenticator, style: Style,
                 check: Callable[[Callable[[], object], Callable[[object], None]], None],
                 unlocked: Callable[[], None]) -> None:
        self.authenticator = authenticator
        self.check = check
        self.unlocked = unlocked
        self.busy = False
        self.edit = make_edit("", style, mask="*")
        self.message = urwid.Text("", align="center")
        self.style = style
        rows = urwid.Pile([
            urwid.Text(("title", style.text(f"{product} is locked")), align="center"),
            urwid.Divider(),
            urwid.Text(style.text(f"Enter the password of {authenticator.user} to unlock."), align="center"),
            urwid.Divider(),
            urwid.Padding(urwid.Columns([(10, urwid.Text("Password:")), urwid.AttrMap(self.edit, "field",
                                                                                      "field focus")]),
                          align="center", width=40),
            urwid.Divider(),
            self.message,
        ])
        rows.focus_position = 4
        super().__init__(urwid.AttrMap(urwid.Filler(rows, valign="middle"), "lock"))

    def keypress(self, size: tuple[int, int], key: str) -> str | None:  # type: ignore[override]
        if key == "enter":
            self.submit()
            return None
        if self.busy:
            return None
        self._w.keypress(size, key)
        return None  # nothing leaves the lock screen

    def submit(self) -> None:
        if self.busy:
            return
        password = self.edit.edit_text
        self.busy = True
        self.message.set_text(self.style.text(f"Checking {self.style.ellipsis}"))
        self.check(lambda: self.authenticator.authenticate(password), self._checked)

    def _checked(self, result: object) -> None:
        self.busy = False
        self.edit.set_edit_text("")
        if result is True:
            self.message.set_text("")
            self.unlocked()
        else:
            self.message.set_text(("error", "Wrong password. Try again."))


class MenuEntry(urwid.SelectableIcon):
    """One page in the menu, drawn as one Text in its colours across the menu's width (the
    focused entry, the current page, the others): no AttrMap around it to build and render."""

    signals: ClassVar[list[str]] = []

    def __init__(self, name: str, title: str, style: Style) -> None:
        self.name = name
        self.title = style.text(title)
        self.current = False
        super().__init__(" " + self.title, 0)

    def set_current(self, current: bool) -> None:
        if current != self.current:
            self.current = current
            self._invalidate()

    def _lines(self, maxcol: int) -> list[str]:
        # A space before the title, and before each line of a title too long for one.
        return [f" {line}".ljust(maxcol) for line in wrap(self.title, maxcol - 1)]

    def rows(self, size: tuple[int], focus: bool = False) -> int:
        return len(self._lines(size[0]))

    def render(self, size: tuple[int], focus: bool = False) -> urwid.TextCanvas:  # type: ignore[override]
        (maxcol,) = size
        text = "\n".join(self._lines(maxcol))
        attr = "menu focus" if focus else "menu current" if self.current else "menu"
        canvas = apply_text_layout(text, [(attr, len(text))], layout.layout(text, maxcol, "left", "clip"), maxcol)
        if focus:
            canvas.cursor = (0, 0)
        return canvas

    def keypress(self, size: tuple[int], key: str) -> str | None:  # type: ignore[override]
        return key
