"""Every built-in page in the setup TUI at 80x24: Tab reaches each field and live button in
turn and comes back to the menu, no line is longer than the screen, and the focused field's
help shows whole, wrapped between words (it was clipped mid-word: "...off disables time syn")."""

from __future__ import annotations

import pytest
from urwid.testing import ScriptedScreen

from ovirt_node.ui.app import Application
from ovirt_node.ui.auth import DemoAuthenticator
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.pageview import PageView
from ovirt_node.ui.plugins import discover
from ovirt_node.ui.widgets import FieldWidget
from ovirt_node.ui.worker import Manual

PAGES = [p.name for p in discover().pages]


def page_words(screen: str, menu_width: int) -> str:
    """The page's side of the screen (right of the menu) as one line of words."""
    body = [line[menu_width + 2:] for line in screen.splitlines()[1:-1]]
    return " ".join(" ".join(body).split())


@pytest.mark.parametrize("name", PAGES)
def test_tab_walks_the_page_and_help_shows_whole(page_ctx: PageContext, name: str) -> None:
    main = Manual()
    app = Application(page_ctx, discover().pages, DemoAuthenticator(), screen=ScriptedScreen(size=(80, 24)),
                      dispatcher=main)
    app.show_page(name)
    while main.run_pending(wait=0.2):
        pass
    view = app.views[name]
    assert isinstance(view, PageView)
    app.keys("tab")
    helps = 0
    for _ in range(40):
        if app.body.focus_position == 0:
            break
        while main.run_pending(wait=0.05):
            pass
        screen = app.text((80, 24))
        assert all(len(line) <= 80 for line in screen.splitlines()), screen
        widget = view.walker.get_focus()[0]
        if isinstance(widget, FieldWidget) and view.form is not None:
            key = view.form.engine.keys.get(widget.key)
            text = widget.item.help or (key.help if key is not None else "")
            if text:
                helps += 1
                shown = " ".join((text[:1].upper() + text[1:]).split())
                assert shown in page_words(screen, app.menu_width), (name, shown, screen)
        app.keys("tab")
    else:
        raise AssertionError(f"{name}: Tab never came back to the menu:\n{app.text()}")
    assert app.body.focus_position == 0
    if name in ("network", "logging", "security", "kdump", "monitoring"):
        assert helps, f"{name}: no field with help was reached"
