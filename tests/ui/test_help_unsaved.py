"""Issue 26, in-process: F1/? help on every page, the unsaved-changes question (each choice),
pages read again after a save elsewhere, and the log viewer at its newest line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from ovirt_node.pages.status import StatusPage
from ovirt_node.pages.support import SupportPage
from ovirt_node.ui.dialogs import ProgressDialog, TextDialog
from ovirt_node.ui.page import Item, KeyValue, Page, PageContext, load_page
from ovirt_node.ui.pageview import PageView
from ovirt_node.ui.palette import style_for
from ovirt_node.ui.plugins import discover
from ovirt_node.ui.testing import FakeUI, PageHarness
from tests.ui.pages import BrokenPage, EverythingPage, RemoteLogPage
from tests.ui.test_app import App


def _sshd_port(ctx: PageContext) -> str:
    text = ctx.root("/etc/ssh/sshd_config").read_text()
    found = re.search(r"^Port\s+(\d+)", text, re.M)
    return found.group(1) if found else "22 (default)"


class SshShownPage(Page):
    """A read-only page showing what a save on another page changes (as Status does)."""

    name = "sshshown"
    title = "SSH Shown"
    rank = 30
    editable = False
    help_text = "Shows the SSH port sshd_config has."

    def layout(self) -> Sequence[Item]:
        return [KeyValue("SSH port now", _sshd_port)]


@pytest.fixture
def app(page_ctx: PageContext) -> App:
    a = App(page_ctx, [RemoteLogPage, EverythingPage, SshShownPage, BrokenPage])
    a.settle()
    return a


def _type_port(app: App, port: str) -> None:
    app.keys("tab", "end", "backspace", "backspace", *port)


# -- help -----------------------------------------------------------------------------------


def test_f1_on_every_registered_page_shows_what_it_does_and_its_keys(page_ctx: PageContext) -> None:
    pages = discover().pages
    assert len(pages) >= 10, "the built-in pages are registered"
    a = App(page_ctx, pages)
    for index, page_cls in enumerate(map(load_page, a.app.pages)):
        a.app.show_page(page_cls.name)
        a.settle()
        text = a.keys("f1")
        top = a.app.dialogs[-1]
        assert isinstance(top, TextDialog) and top.title == f"Help: {page_cls.title}", page_cls.name
        whole = "\n".join(top.texts)
        assert "Keys:" in whole and "Ctrl-L" in whole and "F12" in whole, page_cls.name
        said = page_cls.help_text.split("\n")[0]
        assert said and said in whole, f"{page_cls.name}: its help_text is shown"
        assert f"Help: {page_cls.title}" in text
        a.keys("esc")
        assert not a.app.dialogs, f"Esc closes the help of {page_cls.name} (page {index})"


def test_a_page_without_help_gets_its_title_and_fields_help(app: App) -> None:
    app.keys("f1")
    whole = "\n".join(app.app.dialogs[-1].texts)  # type: ignore[attr-defined]
    assert whole.startswith("The Remote Logging page.\nSSH and remote syslog.")
    # The fields' labels with the engine keys' help.
    assert re.search(r"^- SSH port: \S", whole, re.M) and "- Syslog server:" in whole
    assert "Save, Reset" in whole


def test_a_broken_page_and_a_dialog_have_help_too(app: App) -> None:
    app.keys("down", "down", "down")
    app.settle()
    assert "This page could not be shown." in app.text()
    app.keys("f1")
    assert app.app.dialogs[-1].title == "Help: Broken"
    app.keys("esc", "f8")  # no support page here: an info dialog
    assert "Support page not installed" in app.text()
    text = app.keys("f1")
    assert "Help: Support" in text and "press the focused button" in text
    app.keys("f1")  # no help on help
    assert len(app.app.dialogs) == 2


def test_question_mark_types_in_a_text_field_and_is_help_elsewhere(app: App) -> None:
    app.keys("tab", "end", "?")  # in the SSH port field
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView) and view.form is not None
    assert view.form.typed("ssh.port") == "22?" and not app.app.dialogs
    assert "Help:" not in app.text()
    app.keys("backspace", "down")  # on the checkbox: not a text field
    app.keys("?")
    assert app.app.dialogs and app.app.dialogs[-1].title == "Help: Remote Logging"
    app.keys("esc", "shift tab", "shift tab", "?")  # in the menu
    assert app.app.dialogs[-1].title == "Help: Remote Logging"


def test_the_footer_lists_f1_and_ctrl_l_within_80_columns(app: App) -> None:
    footer = app.text().splitlines()[-1]
    assert "F1 help" in footer and "Ctrl-L redraw" in footer and len(footer) <= 80


def test_a_plugin_help_that_raises_still_shows_the_keys(page_ctx: PageContext) -> None:
    class Failing(RemoteLogPage):
        name = "failing"

        def help(self) -> str:
            raise RuntimeError("no help today")

    a = App(page_ctx, [Failing])
    a.keys("f1")
    whole = "\n".join(a.app.dialogs[-1].texts)  # type: ignore[attr-defined]
    assert "help failed: no help today" in whole and "Keys:" in whole


# -- unsaved changes --------------------------------------------------------------------------


def test_leaving_asks_naming_the_fields_and_stay_stays(app: App) -> None:
    _type_port(app, "222")
    app.keys("shift tab", "down")  # to the menu, then the next page
    text = app.text()
    assert "Unsaved changes" in text and "Leave Remote Logging without saving?" in text
    assert "Remote Logging: SSH port" in text and "< Stay >" in text
    app.keys("enter")  # Stay is focused
    assert not app.app.dialogs and app.app.current == "remotelog"
    assert "SSH port:          222" in app.text() and "Remote Logging" in app.text().splitlines()[1][17:]


def test_discard_drops_the_typing_and_goes_on(app: App, node_root: Path) -> None:
    _type_port(app, "222")
    app.keys("shift tab", "down", "left", "enter")  # Discard
    assert app.app.current == "everything" and not app.app.dialogs
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView) and view.form is not None and view.form.changes() == {}
    assert "Port 222" not in (node_root / "etc/ssh/sshd_config").read_text()


def test_save_saves_then_goes_on(app: App, node_root: Path) -> None:
    _type_port(app, "222")
    app.keys("shift tab", "down", "left", "left", "enter")  # Save
    dialog = app.app.dialogs[-1]
    assert isinstance(dialog, ProgressDialog)
    app.settle(lambda: dialog.ok is not None)
    assert dialog.ok and "Port 222" in (node_root / "etc/ssh/sshd_config").read_text()
    assert app.app.current == "everything"


def test_save_with_invalid_values_stays_on_the_page_and_says_why(app: App, node_root: Path) -> None:
    before = (node_root / "etc/ssh/sshd_config").read_text()
    _type_port(app, "99999")
    app.keys("shift tab", "down", "left", "left", "enter")  # Save
    assert app.app.current == "remotelog" and not any(isinstance(d, ProgressDialog) for d in app.app.dialogs)
    assert "Fix the marked fields to save" in app.text()
    assert (node_root / "etc/ssh/sshd_config").read_text() == before


def test_quit_names_every_page_with_changes(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    quits: list[bool] = []
    monkeypatch.setattr(app.app, "quit", lambda **_: quits.append(True))
    _type_port(app, "222")
    app.keys("shift tab", "down", "left", "enter")  # Discard on leaving, then type on Everything
    app.keys("tab", "end", "5")
    text = app.keys("esc")
    assert "Leave the" in text and "Everything: SSH port" in text and "Remote Logging" not in text.split("Not")[1]
    app.keys("enter")  # Stay
    assert not quits and not app.app.dialogs
    app.keys("esc", "left", "enter")  # Discard: quits
    assert quits == [True]


def test_log_off_with_changes_asks_too(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's Log off button (Status) calls quit(): it asks about unsaved typing first."""
    exits: list[bool] = []
    monkeypatch.setattr(app.app.loop, "set_alarm_in", lambda *_a: exits.append(True))
    _type_port(app, "222")
    app.app.quit()
    assert not exits and "Remote Logging: SSH port" in app.text()
    app.keys("enter")  # Stay
    assert not exits and not app.app.dialogs
    app.app.quit()
    app.keys("left", "enter")  # Discard
    assert exits == [True]


def test_quit_without_changes_is_the_plain_question(app: App) -> None:
    text = app.keys("esc")
    assert "Leave the" in text and "Not saved" not in text and "< OK >" in text


# -- pages read again after a save elsewhere ----------------------------------------------------


def test_a_page_shown_before_a_save_shows_the_new_value_when_shown_again(app: App) -> None:
    app.keys("down", "down")
    assert "SSH port now" in app.settle() and "22 (default)" in app.text()
    app.keys("up", "up")
    _type_port(app, "222")
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView)
    view.save()
    dialog = app.app.dialogs[-1]
    app.settle(lambda: isinstance(dialog, ProgressDialog) and dialog.ok is not None)
    app.keys("esc", "shift tab", "down", "down")
    text = app.settle()
    assert re.search(r"SSH port now\s+222\n", text), text


def test_status_page_reads_the_logging_again_after_a_save(page_ctx: PageContext) -> None:
    from ovirt_node.pages.logging import LoggingPage

    a = App(page_ctx, [StatusPage, LoggingPage])
    before = a.settle()
    assert "logs.example.com" not in before
    a.keys("down", "tab")
    view = a.app.views["logging"]
    assert isinstance(view, PageView) and view.form is not None
    view.form.set("logging.rsyslog.server", "logs.example.com")
    view.save()
    dialog = a.app.dialogs[-1]
    a.settle(lambda: isinstance(dialog, ProgressDialog) and dialog.ok is not None)
    assert isinstance(dialog, ProgressDialog) and dialog.ok
    a.keys("esc", "shift tab", "up")
    assert "logs.example.com" in a.settle()


# -- the log viewer ---------------------------------------------------------------------------


def test_the_support_page_opens_logs_at_the_newest_line(page_ctx: PageContext) -> None:
    log = page_ctx.root("/var/log/ovirt-node/setup.log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("".join(f"entry {n}\n" for n in range(1, 301)))
    ui = FakeUI(page_ctx)
    h = PageHarness(SupportPage, page_ctx, ui=ui)
    h.press("Log: setup.log")
    assert ui.dialogs[-1].at_end and "entry 300" in ui.dialogs[-1].text


def test_the_viewer_at_end_shows_the_newest_line_and_home_end_move() -> None:
    dialog = TextDialog("Log x", "\n".join(f"entry {n}" for n in range(1, 201)), style_for("color"),
                        lambda _d: None, at_end=True)
    size = (72, 20)

    def shown() -> str:
        return "\n".join(line.decode() for line in dialog.render(size, focus=True).text)

    assert "entry 200" in shown() and "entry 1 " not in shown()
    dialog.keypress(size, "home")
    assert "entry 1 " in shown() and "entry 200" not in shown()
    dialog.keypress(size, "page down")
    assert "entry 1 " not in shown()
    dialog.keypress(size, "end")
    assert "entry 200" in shown()


def test_status_dns_follows_a_save_under_a_root_prefix(page_ctx: PageContext) -> None:
    """resolv.conf is nobody's to rewrite under a root prefix (the demo): Status showed the old
    servers even after F12; it shows the configured ones now."""
    ui = FakeUI(page_ctx)
    h = PageHarness(StatusPage, page_ctx, ui=ui)
    before = h.text()
    assert "192.0.2.99" not in before
    page_ctx.engine.plan({"network.dns": "192.0.2.99,192.0.2.98"}).run(page_ctx.node)
    h = PageHarness(StatusPage, page_ctx, ui=ui)
    assert re.search(r"DNS\s+192\.0\.2\.99, 192\.0\.2\.98\n", h.text() + "\n"), h.text()
