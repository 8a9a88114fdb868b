"""The setup TUI: a menu of pages on the left, the selected page on the right, dialogs over
them, and the global keys. It is the `PageUI` every page's buttons talk to.

Keys: arrows, Tab and Shift-Tab move; Enter/Space activate; Esc closes the top dialog or
asks to quit; F2 opens a shell (after a confirmation); F4 switches between basic (ASCII)
and rich mode; F8 opens the support page; F12 reloads the current page from the system;
Ctrl-L redraws. While the console is locked, or the terminal is too small, no hotkey works;
while locked, Ctrl-C and Ctrl-Z do not end or suspend it either (lockguard.py).

Threads: page workers and transactions run in worker threads and report back through the
loop's dispatcher; everything in this module runs on the main loop.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import urwid

from ovirt_node import PRODUCT_NAME, __version__
from ovirt_node.ui.dialoghost import DialogHost
from ovirt_node.ui.lockguard import LockGuard
from ovirt_node.ui.page import Emit, FormSpec, Page, PageContext, read_hostname, sort_pages
from ovirt_node.ui.pageview import PageView, build_view
from ovirt_node.ui.palette import Mode, Style, style_for
from ovirt_node.ui.screens import LockScreen, MenuEntry, SizeGuard
from ovirt_node.ui.worker import Dispatcher, Immediate, LoopDispatcher, start_worker

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Confirmation, Transaction
    from ovirt_node.ui.auth import Authenticator
    from ovirt_node.ui.dialogs import Dialog

log = logging.getLogger(__name__)

SUPPORT_PAGE = "support"
MENU_MIN, MENU_MAX = 16, 24
GLOBAL_KEYS = frozenset({"esc", "tab", "shift tab", "f2", "f4", "f8", "f12"})


def _exit_loop(*_args: object) -> None:
    """Leave the main loop. Raised from an alarm: page button handlers are guarded with
    `except Exception`, which would swallow ExitMainLoop raised inside them."""
    raise urwid.ExitMainLoop()


class Application(DialogHost):
    """The TUI. Build it, then `run()`; tests drive it with `keys()` and `text()`."""

    def __init__(self, ctx: PageContext, pages: Sequence[type[Page]], authenticator: Authenticator, *,
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
        self.current: str | None = None
        self.locked: LockScreen | None = None
        self.lock_guard = LockGuard()
        self.flash = ""
        #: Worker requests made before the first screen is drawn (see run()); None once released.
        self._held: list[tuple[Callable[[], object], Callable[[object], None]]] | None = None
        self.top: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(urwid.SolidFill(" "))
        self._build()
        self.guard = SizeGuard(self.top)
        self.loop = urwid.MainLoop(self.guard, self.style.palette(), screen=screen, handle_mouse=False,
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
            return " Arrows/Tab move  Enter press  Esc close"
        other = "rich" if self.style.ascii else "basic"
        text = f" Tab move  Enter select  Esc quit  F2 shell  F4 {other}  F8 support  F12 reload"
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

    def page_class(self, name: str) -> type[Page] | None:
        return next((p for p in self.pages if p.name == name), None)

    def _view(self, page_cls: type[Page]) -> urwid.Widget:
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
            self.show_page(self.pages[focus].name)

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
        screen.register_palette(self.style.palette())
        if hasattr(screen, "set_terminal_properties"):
            screen.set_terminal_properties(colors=self.style.colors)
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
        if self.dialogs:
            if key == "esc":
                self.close_top_dialog()
            elif key == "tab":
                return ["right"]
            elif key == "shift tab":
                return ["left"]
            return []
        if key == "esc":
            self.confirm("Quit", f"Leave the {PRODUCT_NAME} setup?", self.quit)
        elif key in ("tab", "shift tab"):
            self._tab(forward=key == "tab")
        elif key == "f2":
            self.confirm("Shell", "Open a shell? Type exit to come back here.", self.open_shell)
        elif key == "f4":
            self.toggle_mode()
        elif key == "f8":
            if self.page_class(SUPPORT_PAGE) is not None:
                self.show_page(SUPPORT_PAGE, focus_menu=False)
            else:
                self.info("Support", "Support page not installed")
        elif key == "f12":
            self.reload_page()
        return []

    def _tab(self, forward: bool) -> None:
        """Tab walks the page's fields, then back to the menu; Shift-Tab the other way."""
        size = self.loop.screen_size or self.loop.screen.get_cols_rows()
        if self.body.focus_position == 0:
            if self.page_holder.original_widget.selectable():
                self.body.focus_position = 2
            return
        view = self.page_holder.original_widget
        body_size = (max(size[0] - self.menu_width - 3, 1), max(size[1] - 2, 1))
        if view.keypress(body_size, "down" if forward else "up") is not None:
            self.body.focus_position = 0

    def _unhandled(self, key: str | tuple[str, int, int, int]) -> bool:
        """Enter or Space on a menu entry goes into its page."""
        if key in ("enter", " ") and self.locked is None and self.body.focus_position == 0:
            if self.page_holder.original_widget.selectable():
                self.body.focus_position = 2
            return True
        return False

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

    def _release_workers(self, *_args: object) -> None:
        held, self._held = self._held or [], None
        for work, done in held:
            start_worker(work, done, self.dispatcher)

    def run_transaction(self, tx: Transaction, on_done: Callable[[bool], None] | None = None,
                        confirm: Confirmation | None = None) -> None:
        from ovirt_node.ui.dialogs import ProgressDialog

        def finished(ok: bool) -> None:
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
        self.lock_guard.hold(self.loop.screen)  # Ctrl-C/Ctrl-Z: no way out but the password
        self._refresh_chrome()

    def unlock(self) -> None:
        log.info("console unlocked")
        self.locked = None
        self.lock_guard.release(self.loop.screen)
        self._refresh_chrome()

    def quit(self) -> None:
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

    def run(self) -> None:
        """Draw the first screen, then start the workers the pages asked for meanwhile (they
        would otherwise compete with the first draw), then serve the terminal."""
        try:
            with contextlib.suppress(urwid.ExitMainLoop), self.loop.start():
                # Queued after start()'s own first-draw alarm, so it runs once the screen is up.
                self.loop.event_loop.alarm(0, self._release_workers)
                self.loop.event_loop.run()
        finally:
            self._release_workers()
            if self._loop_dispatcher is not None:
                self._loop_dispatcher.close()
