"""The application in-process: menu, page switching, dialogs, global keys, lock, size guard.

The loop is not run: keys go through the same input filter and `process_input` the terminal
feeds, the screen is rendered to text at 80x24, and worker results come back only when the
test drains the stand-in main loop (`Manual`), as they would from the loop's pipe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from urwid.testing import ScriptedScreen

from ovirt_node import PRODUCT_NAME, __version__
from ovirt_node.pages import plugins as plugins_page
from ovirt_node.pages.plugins import PluginsPage
from ovirt_node.ui.app import Application
from ovirt_node.ui.auth import DemoAuthenticator
from ovirt_node.ui.dialogs import ProgressDialog
from ovirt_node.ui.page import Item, Label, MenuPage, Page, PageContext
from ovirt_node.ui.pageview import PageView
from ovirt_node.ui.plugins import PluginInfo, Plugins
from ovirt_node.ui.worker import Manual
from tests.ui.pages import BrokenPage, EverythingPage, RemoteLogPage


class SupportPage(Page):
    name = "support"
    title = "Support"
    rank = 400
    editable = False

    def layout(self) -> Sequence[Item]:
        return [Label("Support tools live here.")]


class App:
    """An Application with a scripted screen and a main loop the test drains."""

    def __init__(self, ctx: PageContext, pages: Sequence[MenuPage], **kwargs: object) -> None:
        self.main = Manual()
        self.app = Application(ctx, pages, DemoAuthenticator(), screen=ScriptedScreen(size=(80, 24)),
                               dispatcher=self.main, **kwargs)  # type: ignore[arg-type]

    def keys(self, *keys: str) -> str:
        self.app.keys(*keys)
        return self.text()

    def text(self, size: tuple[int, int] = (80, 24)) -> str:
        return self.app.text(size)

    def settle(self, until: Callable[[], bool] | None = None, timeout: float = 10) -> str:
        """Run the main loop's queue until `until()` holds (or it is empty, without one)."""
        deadline = time.monotonic() + timeout
        while True:
            ran = self.main.run_pending(wait=0.05)
            if (until is None and not ran) or (until is not None and until()):
                return self.text()
            assert time.monotonic() < deadline, "timed out:\n" + self.text()


@pytest.fixture
def app(page_ctx: PageContext) -> App:
    a = App(page_ctx, [PluginsPage, EverythingPage, RemoteLogPage, BrokenPage])
    a.settle()
    return a


def test_header_menu_footer(app: App) -> None:
    lines = app.text().splitlines()
    assert lines[0].startswith(f" {PRODUCT_NAME} {__version__}") and lines[0].endswith("demo-node.example.com")
    menu = [line[:16].strip() for line in lines[1:6]]
    assert menu == ["Remote Logging", "Everything", "Broken", "Plugins", ""]  # rank, then title
    assert "Esc quit" in lines[-1] and "F12 reload" in lines[-1] and len(lines[-1]) <= 80
    assert "Remote Logging" in lines[1][17:]  # the first page is shown


def test_the_header_follows_a_renamed_node(app: App, page_ctx: PageContext) -> None:
    """The VM proof renamed the node on the Network page and the header kept the old name."""
    page_ctx.root("/etc/hostname").write_text("renamed.example.com\n")
    assert app.text().splitlines()[0].endswith("demo-node.example.com")  # nothing redrawn yet
    lines = app.keys("f12").splitlines()  # read again after F12 (and after every save)
    assert lines[0].endswith("renamed.example.com")


def test_moving_in_the_menu_switches_pages_and_a_broken_page_is_a_notice(app: App) -> None:
    text = app.keys("down")
    assert "Every item type." in text
    text = app.keys("down")
    assert "This page could not be shown." in text and "layout exploded" in text
    text = app.settle()
    text = app.keys("down")
    assert "Loaded plugins" in text
    assert app.keys("up", "up", "up").count("SSH and remote syslog.") == 1


def test_plugins_page_lists_loaded_plugins_and_failures(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    found = Plugins(loaded=[PluginInfo("status", "ovirt_node.pages.status:StatusPage", "ovirt-node", "4.0.0")],
                    failures=[(PluginInfo("bad", "bad_plugin:Page", "bad-plugin", "0.1"),
                               "ModuleNotFoundError: No module named 'bad_plugin'")])
    monkeypatch.setattr(plugins_page, "discover", lambda: found)
    text = app.keys("down", "down", "down", "f12")
    assert "< status             ovirt-node 4.0.0 >" in text and "  ovirt_node.pages.status:StatusPage" in text
    assert "Plugins that failed to load (1):" in text and "< bad                bad-plugin 0.1 >" in text
    assert "failed: ModuleNotFoundError: No module named 'bad_plugin'" in text
    assert text.index("failed to load") < text.index("Loaded plugins (1)")  # failures first


def test_f8_without_a_support_page_says_so_and_esc_closes(app: App) -> None:
    text = app.keys("f8")
    assert "Support page not installed" in text and "< OK >" in text
    assert "Esc close" in text.splitlines()[-1]
    text = app.keys("f12")  # no hotkeys under a dialog
    assert "Support page not installed" in text
    text = app.keys("esc")
    assert "Support page not installed" not in text


def test_f8_opens_the_support_page(page_ctx: PageContext) -> None:
    a = App(page_ctx, [RemoteLogPage, SupportPage])
    assert "Support tools live here." in a.keys("f8")


def test_esc_asks_to_quit(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    quits: list[bool] = []
    monkeypatch.setattr(app.app, "quit", lambda: quits.append(True))
    text = app.keys("esc")
    assert f"Leave the {PRODUCT_NAME} setup?" in text
    app.keys("enter")  # Cancel has the focus
    assert quits == [] and "Leave the" not in app.text()
    app.keys("esc", "left", "enter")
    assert quits == [True]


def test_quit_leaves_the_loop(page_ctx: PageContext) -> None:
    screen = ScriptedScreen(size=(80, 24), inputs=[["esc"], ["left", "enter"], ["x"]] )
    app = Application(page_ctx, [RemoteLogPage], DemoAuthenticator(), screen=screen)
    app.run()  # returns: the OK of the quit confirmation stopped the loop
    assert any("Leave the" in "\n".join(c.decoded_text) for c in screen.canvases)


def test_too_small_and_back(app: App) -> None:
    small = app.text((60, 20))
    assert small.strip() == "Terminal too small: need 80x24, have 60x20"
    assert app.keys("f8") and "Support page" not in app.text((60, 20))  # keys are ignored meanwhile
    assert app.text((10, 2))  # never crashes, however small
    assert app.text((0, 0)) == ""
    assert "Remote Logging" in app.text((80, 24))
    assert "Remote Logging" in app.text((100, 30))


def test_tab_walks_the_page_and_returns_to_the_menu(app: App) -> None:
    app.keys("tab")  # menu -> page (SSH port)
    app.keys("end", "7")
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView) and view.form is not None
    assert view.form.typed("ssh.port") == "227"
    app.keys("shift tab")  # first field: back to the menu
    app.keys("down")  # leaving with 227 typed asks first (tests/ui/test_unsaved.py)
    assert "Not saved:" in app.text() and "Remote Logging: SSH port" in app.text()
    app.keys("left", "enter")  # Stay is focused; Discard is left of it
    assert "Every item type." in app.text()


def test_keys_typed_ahead_of_a_tab_reach_their_field(app: App) -> None:
    """Under load the terminal delivers several keys at once: the digit typed before Tab
    belongs to the field Tab leaves, not to the next one."""
    app.keys("tab")
    app.keys("end", "7", "tab", "x")
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView) and view.form is not None
    assert view.form.typed("ssh.port") == "227"


def test_save_runs_the_transaction_in_a_progress_dialog(app: App, node_root: Path) -> None:
    app.keys("tab", "end", "backspace", "backspace", "2", "2", "2")  # SSH port 22 -> 222
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView) and view.save_button is not None and view.save_button.enabled
    view.save()
    dialog = app.app.dialogs[-1]
    assert isinstance(dialog, ProgressDialog)
    app.keys("esc")  # not while it runs (it may already be done: then Esc closes it below)
    text = app.settle(lambda: dialog.ok is not None)
    assert "Done: 5 steps applied (3 skipped)." in text and "Restart ssh.service: skipped" in text
    assert "Port 222" in (node_root / "etc/ssh/sshd_config").read_text()
    text = app.keys("esc")
    assert "Done:" not in text and not view.save_button.enabled  # the page reloaded from the system


def focused_button(view: PageView) -> str:
    """The label of the page's button that has the focus ("" when a field has it)."""
    from ovirt_node.ui import focus

    path = focus.current(view)
    leaf = dict(focus._children(path[-1][0]))[path[-1][1]]  # noqa: SLF001
    return str(getattr(getattr(leaf, "original_widget", leaf), "label", ""))


def test_f10_goes_to_save_and_after_the_save_the_focus_is_on_a_live_field(app: App) -> None:
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView)
    text = app.keys("tab", "f10")  # nothing to save: F10 says why and the focus stays
    assert "Save is not possible now: No changes to save" in text and focused_button(view) == ""
    app.keys("end", "backspace", "backspace", "2", "2", "2")  # SSH port 22 -> 222
    text = app.keys("f10")
    assert focused_button(view) == "Save" and "F10 save" in text.splitlines()[-1]
    app.keys("enter")
    dialog = app.app.dialogs[-1]
    assert isinstance(dialog, ProgressDialog)
    app.settle(lambda: dialog.ok is not None)
    app.keys("esc")
    assert view.save_button is not None and not view.save_button.enabled
    assert focused_button(view) == "" and view.walker.get_focus()[0].selectable()  # a field, not the greyed Save


def test_f10_on_an_error_goes_to_the_field_that_has_it(app: App) -> None:
    from ovirt_node.core.valid import Number
    from ovirt_node.ui.formdialog import FormDialog
    from ovirt_node.ui.page import Entry, FormSpec

    view = app.app.views["remotelog"]
    assert isinstance(view, PageView)
    app.keys("tab", "end", "9", "9", "9", "9")  # SSH port 229999: Save greys
    app.keys("tab", "tab", "tab")  # on to Reset
    assert focused_button(view) == "Reset"
    text = app.keys("f10")
    assert focused_button(view) == "" and view.walker.get_focus()[0].item.key == "ssh.port"
    assert "Save is not possible now: fix the marked field" in text.splitlines()[-1]

    app.app.open_form(FormSpec("Pick", [Entry("a", "A:"), Entry("n", "Number:", validator=Number(1, 9))],
                               {"a": "x", "n": "5"}, lambda _v: {}))
    dialog = app.app.dialogs[-1]
    assert isinstance(dialog, FormDialog)
    assert "F10 OK" in app.text().splitlines()[-1]
    app.keys("tab", "end", "0")  # Number 50: OK greys
    app.keys("shift tab")  # back to A
    app.keys("f10")
    assert dialog.walker.get_focus()[0].item.key == "n"  # on the field whose message says why
    app.keys("backspace", "f10")  # valid again: F10 is OK
    app.keys("enter")
    assert dialog.accepted and not app.app.dialogs


def test_tab_skips_the_greyed_save_and_goes_round_to_the_menu(app: App) -> None:
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView)
    app.keys("tab")  # SSH port
    seen = []
    for _ in range(8):
        app.keys("tab")
        if app.app.body.focus_position == 0:
            break
        seen.append(focused_button(view) or str(getattr(view.walker.get_focus()[0].item, "key", "")))
    # Save is greyed (nothing changed): Tab passes it; Reset is live.
    assert seen == ["ssh.pwauth", "logging.rsyslog.server", "Reset"]
    app.keys("shift tab")  # from the menu into the page again
    assert app.app.body.focus_position == 2


def test_f12_reloads_the_page_from_the_system(app: App, node_root: Path) -> None:
    app.keys("tab", "end", "9")
    sshd = node_root / "etc/ssh/sshd_config"
    sshd.write_text("Port 2022\n" + sshd.read_text())
    text = app.keys("f12")
    assert "SSH port:          2022" in text and "Reloaded Remote Logging from the system" in text


def test_f4_switches_to_basic_and_back_keeping_what_was_typed(app: App) -> None:
    app.keys("tab", "end", "9")
    text = app.keys("f4")
    assert text.isascii() and "|" in text and "F4 rich" in text
    assert "SSH port:          229" in text
    app.keys("shift tab", "down")
    assert app.text().isascii() and "(*)" not in app.text()
    app.keys("f8")
    assert app.text().isascii() and "+-" in app.text()
    app.keys("esc", "f4")
    assert "\u2502" in app.text() and "F4 basic" in app.text()


def test_basic_mode_walk_is_ascii(page_ctx: PageContext) -> None:
    a = App(page_ctx, [PluginsPage, EverythingPage, RemoteLogPage, BrokenPage], mode="basic")
    for _ in range(4):
        a.settle()
        assert a.text().isascii()
        a.keys("down")
    assert a.keys("esc").isascii()


def test_lock_screen_takes_only_the_password(app: App) -> None:
    app.app.lock()
    text = app.text()
    assert f"{PRODUCT_NAME} is locked" in text and "Enter the password of admin to unlock." in text
    app.keys("f8", "esc", "f12", "tab", "f4")
    assert "is locked" in app.text() and not app.app.dialogs
    app.keys("x", "y", "enter")
    text = app.settle(lambda: "Wrong password" in app.text())
    assert "is locked" in text
    app.keys(*"demo", "enter")
    text = app.settle(lambda: app.app.locked is None)
    assert "is locked" not in text and "Remote Logging" in text


def test_workers_report_on_the_main_loop(app: App) -> None:
    seen: list[tuple[object, bool]] = []
    app.app.run_in_worker(lambda: threading.current_thread() is threading.main_thread(),
                          lambda r: seen.append((r, threading.current_thread() is threading.main_thread())))
    app.settle(lambda: bool(seen))
    assert seen == [(False, True)]  # the work ran off the main thread, the callback on it


def test_enter_on_a_menu_entry_goes_into_the_page(app: App) -> None:
    app.keys("enter", "end", "5")
    view = app.app.views["remotelog"]
    assert isinstance(view, PageView) and view.form is not None and view.form.typed("ssh.port") == "225"


def test_ctrl_l_redraws_even_when_locked(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    redraws: list[bool] = []
    monkeypatch.setattr(app.app, "redraw", lambda: redraws.append(True))
    app.keys("ctrl l")
    app.app.lock()
    app.keys("ctrl l")
    assert redraws == [True, True] and "is locked" in app.text()

