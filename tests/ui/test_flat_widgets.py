"""The widgets the first screen is mostly made of, each drawn as one Text in its own colours
(no Columns or AttrMap around it): a page's buttons and the menu's entries."""

from __future__ import annotations

from ovirt_node.pages.status import StatusPage
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.palette import style_for
from ovirt_node.ui.screens import MenuEntry
from ovirt_node.ui.widgets import ActionButton
from tests.ui.test_app import App


def _runs(canvas: object, row: int = 0) -> list[tuple[object, str]]:
    return [(attr, text.decode()) for attr, _cs, text in list(canvas.content())[row]]  # type: ignore[attr-defined]


def test_a_page_button_colours_its_label_only_and_puts_the_cursor_on_it() -> None:
    pressed: list[int] = []
    button = ActionButton("SSH host keys", lambda: pressed.append(1))
    button.look = ("button", "button focus")
    assert _runs(button.render((40,))) == [("button", "< SSH host keys >"), (None, " " * 23)]
    focused = button.render((40,), focus=True)
    assert _runs(focused) == [("button focus", "< SSH host keys >"), (None, " " * 23)]
    assert focused.cursor == (2, 0)
    assert button.keypress((40,), "enter") is None and pressed == [1]


def test_the_status_pages_focused_button_shows_in_the_focus_colours(page_ctx: PageContext) -> None:
    a = App(page_ctx, [StatusPage])
    a.keys("tab")  # from the menu into the page: its first button
    canvas = a.app.guard.render((80, 24), focus=True)
    looks = {text.strip(): repr(attr) for row in range(24) for attr, text in _runs(canvas, row)
             if text.strip().startswith("<")}
    assert "button focus" in looks["< SSH host keys >"]
    assert "button focus" not in looks["< CPU details >"] and "button" in looks["< CPU details >"]


def test_a_menu_entry_fills_the_menus_width_in_the_colours_of_its_state() -> None:
    entry = MenuEntry("status", "Status", style_for("color"))
    assert _runs(entry.render((17,))) == [("menu", " Status          ")]
    assert _runs(entry.render((17,), focus=True)) == [("menu focus", " Status          ")]
    entry.set_current(True)
    assert _runs(entry.render((17,))) == [("menu current", " Status          ")]
    long = MenuEntry("x", "A plugin's long page title", style_for("color"))
    assert long.rows((17,)) == 2
    rows = [_runs(long.render((17,), focus=True), row) for row in range(2)]
    assert rows == [[("menu focus", " A plugin's long ")], [("menu focus", " page title      ")]]
