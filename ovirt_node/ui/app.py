"""The setup TUI: a menu of pages on the left, the selected page on the right, dialogs over
them, and the global keys. It is the `PageUI` every page's buttons talk to.

Keys: arrows move; Tab and Shift-Tab move between fields and buttons (focus.py), never
inside a text field; Enter/Space activate; F10 goes to Save (OK in a form dialog); Esc closes the top dialog or
asks to quit; F2 opens a shell (after a confirmation); F4 switches between basic (ASCII)
and rich mode; F8 opens the support page; F12 reloads the current page from the system;
Ctrl-L redraws. While the console is locked, or the terminal is too small, no hotkey works;
while locked, Ctrl-C and Ctrl-Z do not end or suspend it either (lockguard.py).

Threads: page workers and transactions run in worker threads and report back through the
loop's dispatcher; everything in this module runs on the main loop.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import subprocess
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import urwid

from ovirt_node import PRODUCT_NAME, __version__
from ovirt_node.ui.dialoghost import DialogHost
from ovirt_node.ui.page import Emit, FormSpec, MenuPage, PageContext, read_hostname, sort_pages
from ovirt_node.ui.pageview import PageView, build_view
from ovirt_node.ui.palette import Mode, Style, style_for
from ovirt_node.ui.screens import LockScreen, MenuEntry, SizeGuard
from ovirt_node.ui.terminal import plain_screen
from ovirt_node.ui.worker import Dispatcher, Immediate, Lanes, LoopDispatcher, start_worker

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Confirmation, Transaction
    from ovirt_node.ui.auth import Authenticator
    from ovirt_node.ui.dialogs import Dialog
    from ovirt_node.ui.lockguard import LockGuard

log = logging.getLogger(__name__)

SUPPORT_PAGE = "support"
MENU_MIN, MENU_MAX = 16, 24
#: Seconds the first screen waits for its page's values before it is drawn (see _first_values).
FIRST_VALUES_WAIT = 0.2
GLOBAL_KEYS = frozenset({"esc", "tab", "shift tab", "f1", "f2", "f4", "f8", "f10", "f12"})
#: The key that takes the focus to Save (OK in a form dialog): 3.x had none; F10 is what many
#: console tools use, and unlike Ctrl-S it is no XOFF that would freeze a serial console.
SAVE_KEY = "f10"


def _exit_loop(*_args: object) -> None:
    """Leave the main loop. Raised from an alarm: page button handlers are guarded with
    `except Exception`, which would swallow ExitMainLoop raised inside them."""
    raise urwid.ExitMainLoop()


class Application(DialogHost):
    """The TUI. Build it, then `run()`; tests drive it with `keys()` and `text()`."""

    def __init__(self, ctx: PageContext, pages: Sequence[MenuPage], authenticator: Authenticator, *,
                 mode: Mode = "color", screen: urwid.BaseScreen | None = None,
                 dispatcher: Dispatcher | None = None) -> None:
        """`dispatcher` defaults to the main loop's; tests pass their own (see worker.Manual)."""
        self.ctx = ctx
        self.pages = sort_pages(pages)
        self.authenticator = authenticator
        self.rich_mode: Mode = "mono" if mode == "mono" else "color"
        self.style: Style = style_for(mode)
        self.hostname = read_hostname(ctx)
        self.dialogs: list[Dialog] = []
        self.views: dict[str, urwid.Widget] = {}
        #: Pages shown before a save elsewhere: read again when next shown (Status, say).
        self.stale: set[str] = set()
        self.current: str | None = None
        self.locked: LockScreen | None = None
        self.lock_guard: LockGuard | None = None  # made at the first lock
        self.flash = ""
        #: Worker requests made before the first screen is drawn (see run()); None once released.
        self._held: list[tuple[Callable[[], object], Callable[[object], None]]] | None = None
        self.top: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(urwid.SolidFill(" "))
        self._build()
        self.guard = SizeGuard(self.top)
        # No palette here: _apply_terminal_style registers it once the colours are set.
        self.loop = urwid.MainLoop(self.guard, (), screen=screen or plain_screen(),
                                   handle_mouse=False,
                                   input_filter=self._filter, unhandled_input=self._unhandled)
        self._loop_dispatcher = LoopDispatcher(self.loop) if dispatcher is None else None
        if self._loop_dispatcher is not None:
            self._held = []  # nothing can report back before the loop runs anyway
        self.dispatcher: Dispatcher = dispatcher or self._loop_dispatcher or Immediate()
        self._apply_terminal_style()
        if self.pages:
            self.show_page(self.pages[0].name)

    # -- layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        style = self.style
        self.header = urwid.Text("")
        self.footer = urwid.Text("", wrap="clip")
        self.menu_entries = [MenuEntry(p.name, p.title, style) for p in self.pages]
        self.menu_walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker(list(self.menu_entries))
        urwid.connect_signal(self.menu_walker, "modified", self._menu_moved)
        width = max([MENU_MIN, *(len(p.title) + 3 for p in self.pages)])
        self.menu_width = min(width, MENU_MAX)
        self.page_holder: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(urwid.SolidFill(" "))
        self.body = urwid.Columns([
            (self.menu_width, urwid.AttrMap(urwid.ListBox(self.menu_walker), "menu")),
            (1, urwid.AttrMap(urwid.SolidFill(style.box[3]), "menu")),
            urwid.Padding(self.page_holder, left=1, right=1),
        ], focus_column=0)
        self.frame = urwid.Frame(
            urwid.AttrMap(self.body, "body"),
            header=urwid.AttrMap(self.header, "header"),
            footer=urwid.AttrMap(self.footer, "footer"),
        )
        self.top.original_widget = self.frame
        self._update_header()
        if self.current is not None:
            self._mark_current()

    def _update_header(self) -> None:
        left = f" {PRODUCT_NAME} {__version__}"
        right = f"{self.hostname} "
        self.header.set_text(self.style.text(left + " " * max(1, 80 - len(left) - len(right)) + right))

    def _footer_text(self) -> str:
        if self.locked is not None:
            return " Locked: type the password, then Enter"
        if self.dialogs:
            if not self.dialogs[-1].closable:
                return " Applying changes; please wait"
            button = getattr(self.dialogs[-1], "save_button", None)
            ok = f"  F10 {button.label}" if button is not None else ""  # OK, or what it says: Ping
            return f" Tab next  Enter press{ok}  Esc close  F1 help"
        other = "rich" if self.style.ascii else "basic"
        # At 80 columns the footer has room for the hotkeys only (Tab and Enter are in the help);
        # where there is a Save, F10 takes F2's place (the shell is in the help too).
        if getattr(self.page_holder.original_widget, "save_button", None):
            text = f" F1 help  F10 save  Esc quit  F4 {other}  F8 support  F12 reload  Ctrl-L redraw"
        else:
            text = f" F1 help  Esc quit  F2 shell  F4 {other}  F8 support  F12 reload  Ctrl-L redraw"
        return f" {self.flash}" if self.flash else text

    def _reread_hostname(self) -> None:
        """After a save or F12: a save may have renamed the node (the Network page, a plugin's)."""
        hostname = read_hostname(self.ctx)
        if hostname != self.hostname:
            self.hostname = hostname
            self._update_header()

    def _refresh_chrome(self) -> None:
        self.footer.set_text(self.style.text(self._footer_text()))
        if self.locked is not None:
            self.top.original_widget = self.locked
            return
        widget: urwid.Widget = self.frame
        for dialog in self.dialogs:
            width, height = dialog.size
            widget = urwid.Overlay(dialog, widget, align="center", width=width, valign="middle", height=height)
        self.top.original_widget = widget

    # -- pages ------------------------------------------------------------------------------

    def page_class(self, name: str) -> MenuPage | None:
        """The menu's page `name`: its class, or its PageRef until it is first shown."""
        return next((p for p in self.pages if p.name == name), None)

    def _view(self, page_cls: MenuPage) -> urwid.Widget:
        if page_cls.name in self.stale:
            self.stale.discard(page_cls.name)
            old = self.views.get(page_cls.name)
            # A page with values typed and not saved keeps them (F12 reads it again).
            if not (isinstance(old, PageView) and old.changed_labels()):
                self.views.pop(page_cls.name, None)
                if isinstance(old, PageView):
                    old.detach()
        view = self.views.get(page_cls.name)
        if view is None:
            view = build_view(page_cls, self.ctx, self, self.style)
            self.views[page_cls.name] = view
        return view

    def show_page(self, name: str, *, focus_menu: bool = True) -> None:
        page_cls = self.page_class(name)
        if page_cls is None:
            return
        self.current = name
        self.flash = ""
        self.page_holder.original_widget = self._view(page_cls)
        index = self.pages.index(page_cls)
        if self.menu_walker.focus != index:
            self.menu_walker.set_focus(index)
        self._mark_current()
        self.body.focus_position = 0 if focus_menu else 2
        log.info("page %s shown", name)
        self._refresh_chrome()

    def _mark_current(self) -> None:
        for entry in self.menu_entries:
            entry.set_current(entry.name == self.current)

    def _menu_moved(self) -> None:
        focus = self.menu_walker.focus
        if focus is not None and 0 <= focus < len(self.pages) and self.pages[focus].name != self.current:
            self.leave_to(self.pages[focus].name)

    def _titles(self, names: Sequence[str] | None = None) -> dict[str, str]:
        return {p.name: p.title for p in self.pages if names is None or p.name in names}

    def leave_to(self, name: str, *, focus_menu: bool = True) -> None:
        """Show page `name`; with unsaved changes on the current page, ask first."""
        from ovirt_node.ui import unsaved

        changed = unsaved.unsaved_pages(self.views, self._titles([self.current or ""]))
        if not changed:
            self.show_page(name, focus_menu=focus_menu)
            return
        current = self.page_class(self.current or "")
        if current is not None:  # the menu stays on this page while the question is open
            self.menu_walker.set_focus(self.pages.index(current))

        def save() -> None:
            unsaved.save_all(changed, lambda ok: self.show_page(name, focus_menu=focus_menu) if ok else None,
                             self._refused)

        def discard() -> None:
            changed[0].view.reset()
            self.show_page(name, focus_menu=focus_menu)

        unsaved.ask(self, "Unsaved changes", f"Leave {changed[0].title} without saving?", changed, save,
                    discard, lambda: None)

    def _refused(self, page: object) -> None:
        """A Save from the unsaved-changes question, on a page whose values are invalid."""
        name = getattr(page, "name", self.current or "")
        self.show_page(name, focus_menu=False)
        self.flash = "Fix the marked fields to save"
        self._refresh_chrome()

    def ask_quit(self) -> None:
        """Esc: quit after a confirmation (which names what is not saved on any page)."""
        if not self._ask_unsaved_before_quit():
            self.confirm("Quit", f"Leave the {PRODUCT_NAME} setup?", self.quit)

    def _ask_unsaved_before_quit(self) -> bool:
        """With unsaved changes anywhere, ask Save/Discard/Stay before quitting; False if none."""
        from ovirt_node.ui import unsaved

        changed = unsaved.unsaved_pages(self.views, self._titles())
        if not changed:
            return False

        def leave(ok: bool = True) -> None:
            if ok:
                self.quit(asked=True)

        unsaved.ask(self, "Quit", f"Leave the {PRODUCT_NAME} setup?", changed,
                    lambda: unsaved.save_all(changed, leave, self._refused), leave, lambda: None)
        return True

    def reload_page(self) -> None:
        """F12: forget the page's state and read it again from the system."""
        if self.current is None:
            return
        old = self.views.pop(self.current, None)
        if isinstance(old, PageView):
            old.detach()
        self.ctx.engine.ctx.reload()
        self._reread_hostname()
        in_page = self.body.focus_position == 2
        self.show_page(self.current, focus_menu=not in_page)
        page_cls = self.page_class(self.current)
        self.flash = f"Reloaded {page_cls.title if page_cls else self.current} from the system"
        self._refresh_chrome()

    def toggle_mode(self) -> None:
        """F4: basic (ASCII, no colour) <-> rich; pages keep what was typed."""
        self.style = style_for(self.rich_mode if self.style.ascii else "basic")
        in_page = self.body.focus_position == 2
        views: dict[str, urwid.Widget] = {}
        for name, view in self.views.items():
            if isinstance(view, PageView):
                views[name] = view.restyle(self.style)
            else:
                page_cls = self.page_class(name)
                if page_cls is not None:
                    views[name] = build_view(page_cls, self.ctx, self, self.style)
        self.views = views
        old_dialogs = self.dialogs
        self._build()
        self.dialogs = old_dialogs
        self._apply_terminal_style()
        if self.current is not None:
            self.show_page(self.current, focus_menu=not in_page)
        log.info("display mode: %s", self.style.mode)

    def _apply_terminal_style(self) -> None:
        screen = self.loop.screen
        # The colours first: a change of them makes urwid work out every entry's look again.
        if hasattr(screen, "set_terminal_properties"):
            screen.set_terminal_properties(colors=self.style.colors)
        screen.register_palette(self.style.palette())
        if screen.started:
            screen.clear()

    # -- keys -------------------------------------------------------------------------------

    def _filter(self, keys: list[str | tuple[str, int, int, int]], _raw: list[int]) -> list[Any]:
        passed: list[Any] = []
        for key in keys:
            if key == "window resize":
                passed.append(key)
            elif key == "ctrl l":
                self.redraw()  # even when locked or too small: a garbled screen is never stuck
            elif self.guard.too_small:
                continue  # nothing is visible to act on
            elif self.locked is not None:
                if isinstance(key, str) and (key in GLOBAL_KEYS or key.startswith("f")) and len(key) > 1:
                    continue  # no hotkeys while locked
                passed.append(key)
            elif isinstance(key, str) and key in GLOBAL_KEYS:
                if passed:  # keys typed ahead of this one reach their field before the focus moves
                    self.loop.process_input(passed)
                    passed = []
                passed.extend(self._global(key))
            else:
                passed.append(key)
        return passed

    def _global(self, key: str) -> list[str]:
        """Handle a global key; returns keys to hand on to the widgets instead."""
        if key == "f1":
            self.show_help()
            return []
        if self.dialogs:
            if key == "esc":
                self.close_top_dialog()
            elif key in ("tab", "shift tab"):
                from ovirt_node.ui import focus  # the key handlers' modules load at the first key

                focus.step(self.dialogs[-1], forward=key == "tab")
            elif key == SAVE_KEY:
                self._to_save(self.dialogs[-1])
            return []
        if key == "esc":
            self.ask_quit()
        elif key in ("tab", "shift tab"):
            self._tab(forward=key == "tab")
        elif key == "f2":
            self.confirm("Shell", "Open a shell? Type exit to come back here.", self.open_shell)
        elif key == "f4":
            self.toggle_mode()
        elif key == "f8":
            if self.page_class(SUPPORT_PAGE) is not None:
                self.leave_to(SUPPORT_PAGE, focus_menu=False)
            else:
                self.info("Support", "Support page not installed")
        elif key == "f12":
            self.reload_page()
        elif key == SAVE_KEY:
            self._to_save(self.page_holder.original_widget)
        return []

    def _to_save(self, widget: urwid.Widget) -> None:
        """F10: the focus on Save (OK), or a word on why it cannot be pressed."""
        from ovirt_node.ui import focus

        button = getattr(widget, "save_button", None)
        if button is None:
            self.flash = "This screen has nothing to save"
        elif focus.focus_on(widget, button):
            if widget is self.page_holder.original_widget:
                self.body.focus_position = 2
            self.flash = ""
        elif callable(to_problem := getattr(widget, "to_problem", None)) and to_problem():
            # On the field whose message says what is wrong; the footer says it too.
            if widget is self.page_holder.original_widget:
                self.body.focus_position = 2
            self.flash = "Save is not possible now: fix the marked field"
        else:
            status = getattr(widget, "status", None)
            said = status.text if isinstance(status, urwid.Text) else ""
            why = said if isinstance(said, str) and said else "Nothing to save yet"
            self.flash = f"Save is not possible now: {why}"
        self._refresh_chrome()

    def _tab(self, forward: bool) -> None:
        """Tab walks the page's fields and live buttons (a table or a radio group is one stop),
        then back to the menu; Shift-Tab the other way."""
        if self.flash.startswith("Save is not"):  # the F10 note is answered by moving on
            self.flash = ""
            self._refresh_chrome()
        if self.body.focus_position == 0:
            if self.page_holder.original_widget.selectable():
                self.body.focus_position = 2
            return
        from ovirt_node.ui import focus

        if not focus.step(self.page_holder.original_widget, forward, wrap=False):
            self.body.focus_position = 0

    def _unhandled(self, key: str | tuple[str, int, int, int]) -> bool:
        """Enter or Space on a menu entry goes into its page; `?` that no text field took is
        help (so it still types itself in a field)."""
        if key == "?" and self.locked is None:
            self.show_help()
            return True
        if key in ("enter", " ") and self.locked is None and self.body.focus_position == 0:
            if self.page_holder.original_widget.selectable():
                self.body.focus_position = 2
            return True
        return False

    def show_help(self) -> None:
        """F1: the keys of what is on screen and, on a page, what the page does."""
        from ovirt_node.ui import help as page_help
        from ovirt_node.ui.dialogs import TextDialog

        if self.dialogs:
            top = self.dialogs[-1]
            if top.title.startswith("Help"):
                return
            keys = page_help.VIEWER_KEYS if isinstance(top, TextDialog) else page_help.DIALOG_KEYS
            self.show_text(f"Help: {top.title}", f"Keys in this dialog:\n{page_help.keys_text(keys)}")
            return
        view = self.page_holder.original_widget
        page_cls = self.page_class(self.current or "")
        title = page_cls.title if page_cls is not None else PRODUCT_NAME
        if isinstance(view, PageView):
            key_help = {name: key.help for name, key in self.ctx.engine.keys.items()}
            text = page_help.page_help(view.page, view.item_specs, key_help)
        else:
            text = f"This page could not be shown.\n\nKeys:\n{page_help.keys_text(page_help.SETUP_KEYS)}"
        log.info("help: %s", title)
        self.show_text(f"Help: {title}", text)

    def redraw(self) -> None:
        """Ctrl-L: repaint the whole terminal (after line noise on a serial console)."""
        if self.loop.screen.started:
            self.loop.screen.clear()

    def keys(self, *keys: str) -> None:
        """Feed keys as the terminal would (tests)."""
        filtered = self._filter(list(keys), [])
        if filtered:
            self.loop.process_input(filtered)

    def text(self, size: tuple[int, int] = (80, 24)) -> str:
        """The screen as text (tests)."""
        canvas = self.guard.render(size, focus=True)
        return "\n".join(line.rstrip() for line in canvas.decoded_text)

    # -- dialogs ----------------------------------------------------------------------------

    def close_top_dialog(self) -> None:
        if self.dialogs and self.dialogs[-1].closable:
            self.close_dialog(self.dialogs[-1])

    # -- PageUI -----------------------------------------------------------------------------

    def open_form(self, spec: FormSpec) -> None:
        from ovirt_node.ui.formdialog import FormDialog

        self.open_dialog(FormDialog(spec, self.ctx, self, self.style, self.close_dialog))

    def stream(self, title: str, work: Callable[[Emit], object]) -> None:
        from ovirt_node.ui.formdialog import StreamDialog

        dialog = StreamDialog(title, self.style, self.close_dialog)
        self.open_dialog(dialog)

        def emit(line: str) -> bool:  # worker thread: hand the line over, touch nothing
            self.dispatcher.post(lambda: None if dialog.closed else dialog.append(line))
            return not dialog.closed

        start_worker(lambda: work(emit), dialog.finish, self.dispatcher, name="ovirt-node-stream")

    def countdown(self, title: str, text: str, seconds: int, on_answer: Callable[[bool], None],
                  yes: str = "OK", no: str = "Cancel", work: Callable[[Emit], object] | None = None
                  ) -> Callable[[], None]:
        from ovirt_node.ui.formdialog import CountdownDialog

        dialog = CountdownDialog(title, text, seconds, on_answer, self.style, self.close_dialog, yes, no)
        self.open_dialog(dialog)
        if work is not None:
            def emit(line: str) -> bool:  # worker thread: hand the line over, touch nothing
                self.dispatcher.post(lambda: None if dialog.answered is not None else dialog.append(line))
                return dialog.answered is None

            start_worker(lambda: work(emit), dialog.finish, self.dispatcher, name="ovirt-node-countdown")

        def tick(*_args: object) -> None:
            if dialog.tick():
                self.loop.set_alarm_in(1, tick)
            self._refresh_chrome()

        self.loop.set_alarm_in(1, tick)
        return lambda: self.close_dialog(dialog)

    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        if self._held is not None:
            self._held.append((work, done))  # started once the first screen is up
            return
        start_worker(work, done, self.dispatcher)

    def _release_workers(self, *_args: object) -> Lanes:
        held, self._held = self._held or [], None
        return Lanes(held, self.dispatcher)

    def _first_values(self) -> None:
        """Start the workers the first page asked for and wait for them a moment (at most
        FIRST_VALUES_WAIT), then show what they found: the first screen is then drawn once,
        whole (the Status page's values take milliseconds), not drawn with "…" and again for
        every value, which a slow serial line pays for in bytes. A slower value (libvirt on a
        busy node) still comes in later, as every worker's does; the values run in turn on
        one thread, and on another beside it when one takes long (worker.Lanes)."""
        self._release_workers().wait(FIRST_VALUES_WAIT)
        if self._loop_dispatcher is not None:
            self._loop_dispatcher.run_posted()

    def run_transaction(self, tx: Transaction, on_done: Callable[[bool], None] | None = None,
                        confirm: Confirmation | None = None) -> None:
        from ovirt_node.ui.dialogs import ProgressDialog

        def finished(ok: bool) -> None:
            if ok:  # what the other pages show may have changed with it
                self.stale.update(name for name in self.views if name != self.current)
            self._reread_hostname()
            self._refresh_chrome()
            if on_done is not None:
                on_done(ok)

        dialog = ProgressDialog(tx, self.ctx.engine.ctx, self.dispatcher, self.style, self.close_dialog, finished,
                                confirm)
        self.open_dialog(dialog)
        dialog.start()
        self._refresh_chrome()

    def reload(self) -> None:
        self.reload_page()

    def lock(self) -> None:
        log.info("console locked")
        self.locked = LockScreen(PRODUCT_NAME, self.authenticator, self.style, self.run_in_worker, self.unlock)
        from ovirt_node.ui.lockguard import LockGuard

        self.lock_guard = self.lock_guard or LockGuard()
        self.lock_guard.hold(self.loop.screen)  # Ctrl-C/Ctrl-Z: no way out but the password
        self._refresh_chrome()

    def unlock(self) -> None:
        log.info("console unlocked")
        self.locked = None
        if self.lock_guard is not None:
            self.lock_guard.release(self.loop.screen)
        self._refresh_chrome()

    def quit(self, *, asked: bool = False) -> None:
        """Leave the setup (a page's Log off too): first asks about unsaved changes, unless
        that was `asked` already."""
        if not asked and self._ask_unsaved_before_quit():
            return
        log.info("leaving the setup")
        self.loop.set_alarm_in(0, _exit_loop)

    # -- shell and running ------------------------------------------------------------------

    def open_shell(self) -> None:
        """F2: hand the terminal to a shell; the UI comes back when it exits."""
        shell = os.environ.get("SHELL") or "/bin/sh"
        log.info("opening a shell: %s", shell)
        with self.loop.paused():
            # The one subprocess not run through ovirt_node.core.run: it needs the terminal.
            try:
                subprocess.run([shell], check=False)
            except OSError as exc:
                log.error("shell %s failed: %s", shell, exc)
        log.info("shell closed")

    def _after_first_draw(self, work: Callable[[], None]) -> None:
        """Run `work` once, when the loop first goes idle after drawing the first screen (the
        loop's own idle handler, which draws, was registered first and runs first)."""
        event_loop = self.loop.event_loop

        def once() -> None:
            event_loop.remove_enter_idle(handle)
            work()

        handle = event_loop.enter_idle(once)

    def run(self) -> None:
        """Give the first page's values their moment (see _first_values), draw the first
        screen, then serve the terminal."""
        try:
            self._first_values()
            with contextlib.suppress(urwid.ExitMainLoop), self.loop.start():
                self._after_first_draw(gc.enable)
                self.loop.event_loop.run()
        finally:
            self._release_workers()
            if self._loop_dispatcher is not None:
                self._loop_dispatcher.close()
