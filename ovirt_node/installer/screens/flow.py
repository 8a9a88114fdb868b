"""The installer's flow: which screens follow each other for the chosen action, and the
application that shows them one at a time (no side menu) with Back / Continue / Quit.

    install, reinstall:  Welcome, Keyboard, Boot device, Data devices, Storage sizes,
                         Password, Confirm, Progress
    upgrade, downgrade:  Welcome, Keyboard, Password (current), Confirm, Progress
    uninstall:           Welcome, Confirm, Progress

Esc goes back (on Welcome it asks to quit); Quit asks, then reboots or exits. Screens the
answers file does not keep interactive are answered from it by the screen's own rules and
skipped; Back skips them too.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
from collections.abc import Callable, Collection

import urwid

from ovirt_node import PRODUCT_NAME
from ovirt_node.core.transaction import Confirmation, Transaction
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.confirm import Confirm
from ovirt_node.installer.screens.disks import BootDevice, DataDevices
from ovirt_node.installer.screens.keyboard import Keyboard
from ovirt_node.installer.screens.password import AdminPassword, UpgradePassword
from ovirt_node.installer.screens.progress import BACK, EXIT, REBOOT, SHELL, VIEW_LOG, ProgressView
from ovirt_node.installer.screens.screen import Screen, ScreenView, answer
from ovirt_node.installer.screens.state import Installer
from ovirt_node.installer.screens.storage import StorageSizes
from ovirt_node.installer.screens.welcome import Welcome
from ovirt_node.ui import focus
from ovirt_node.ui.dialoghost import DialogHost
from ovirt_node.ui.dialogs import Dialog, MessageDialog
from ovirt_node.ui.page import PageContext, Values
from ovirt_node.ui.palette import Mode, Style, style_for
from ovirt_node.ui.screens import SizeGuard
from ovirt_node.ui.terminal import plain_screen
from ovirt_node.ui.widgets import PushButton
from ovirt_node.ui.worker import Dispatcher, LoopDispatcher, start_worker

log = logging.getLogger(__name__)

PROGRESS = "progress"
FLOWS: dict[str, tuple[type[Screen], ...]] = {
    "install": (Welcome, Keyboard, BootDevice, DataDevices, StorageSizes, AdminPassword, Confirm),
    "upgrade": (Welcome, Keyboard, UpgradePassword, Confirm),
    "uninstall": (Welcome, Confirm),
}
FLOWS["reinstall"] = FLOWS["install"]
FLOWS["downgrade"] = FLOWS["upgrade"]
#: Every screen name an answers file may keep interactive.
SCREEN_NAMES = tuple(dict.fromkeys(s.name for flow in FLOWS.values() for s in flow))


def screens_for(mode: str) -> tuple[type[Screen], ...]:
    return FLOWS.get(mode, FLOWS["install"])


def page_context(installer: Installer) -> PageContext:
    """The setup framework's page context: an engine with no sections (the installer's
    values are its own, not the live system's settings) on the live root."""
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine

    ctx = Context(root=installer.live, dry_run=installer.dry_run)
    return PageContext(engine=Engine(ctx, []), machine=installer.machine, root=installer.live,
                       demo=installer.dry_run)


def answer_all(installer: Installer, choices: Choices) -> Choices:
    """Every screen of the chosen action answered from `choices` (ValueError: which screen
    refused what), as a run without a terminal does."""
    ctx = page_context(installer)
    for cls in screens_for(choices.mode):
        choices = answer(cls(ctx, installer, choices))
    return choices


class InstallerApp(DialogHost):
    """The TUI. Build it, then `run()`; tests drive it with `keys()` and `text()`."""

    def __init__(self, installer: Installer, choices: Choices | None = None, *,
                 interactive: Collection[str] | None = None, mode: Mode = "color",
                 screen: urwid.BaseScreen | None = None, dispatcher: Dispatcher | None = None,
                 reboot: Callable[[], None] | None = None) -> None:
        self.installer = installer
        self.choices = choices or Choices()
        self.interactive = None if interactive is None else set(interactive)
        self.style: Style = style_for(mode)
        self.ctx = page_context(installer)
        self.reboot_action = reboot
        self.dialogs: list[Dialog] = []
        self.index = 0
        self.view: ScreenView | ProgressView | None = None
        self.exit_code = 0
        #: Exit (or Reboot) was chosen: the loop ends.
        self.done = False
        self.header = urwid.Text("", wrap="clip")
        self.footer = urwid.Text("", wrap="clip")
        self.holder: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(urwid.SolidFill(" "))
        self.frame = urwid.Frame(urwid.AttrMap(urwid.Padding(self.holder, left=1, right=1), "body"),
                                 header=urwid.AttrMap(self.header, "header"),
                                 footer=urwid.AttrMap(self.footer, "footer"))
        self.top: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(self.frame)
        self.guard = SizeGuard(self.top)
        self.loop = urwid.MainLoop(self.guard, self.style.palette(), screen=screen or plain_screen(),
                                   handle_mouse=False,
                                   unhandled_input=self._unhandled)
        self._loop_dispatcher: LoopDispatcher | None = None
        if dispatcher is None:  # tests bring their own
            self._loop_dispatcher = dispatcher = LoopDispatcher(self.loop)
        self.dispatcher: Dispatcher = dispatcher
        terminal = self.loop.screen
        terminal.register_palette(self.style.palette())
        if hasattr(terminal, "set_terminal_properties"):
            terminal.set_terminal_properties(colors=self.style.colors)
        self._update_header()
        self._forward(-1)

    # -- which screen -----------------------------------------------------------------------

    @property
    def flow(self) -> tuple[type[Screen], ...]:
        return screens_for(self.choices.mode)

    def _asked(self, cls: type[Screen]) -> bool:
        return self.interactive is None or cls.name in self.interactive

    def _forward(self, after: int) -> None:
        """Show the next screen after `after` that is asked; answer the others on the way."""
        index = after + 1
        while index < len(self.flow):
            cls = self.flow[index]
            screen = cls(self.ctx, self.installer, self.choices)
            if self._asked(cls):
                return self._show(index, screen)
            try:
                self.choices = answer(screen)
            except ValueError as exc:  # the answers cannot be used here: ask instead
                log.info("answers: %s", exc)
                return self._show(index, screen, note=str(exc))
            index += 1
        self._show_progress()

    def _first_asked(self) -> int:
        return next((i for i, cls in enumerate(self.flow) if self._asked(cls)), len(self.flow))

    def _show(self, index: int, screen: Screen, note: str = "") -> None:
        self.index = index
        self.view = ScreenView(screen, self, self.style, self.back, self._continued, self.ask_quit,
                               first=index <= self._first_asked())
        self.holder.original_widget = self.view
        log.info("screen: %s", screen.title)
        self._refresh_chrome()
        if note:
            self.info("Answers file", note)

    def _continued(self, screen: Screen, values: Values) -> None:
        self.choices = screen.commit(values)
        self._forward(self.flow.index(type(screen)))

    def back(self) -> None:
        if isinstance(self.view, ProgressView):
            if self.view.running:
                return
            index = len(self.flow)
        else:
            index = self.index
        earlier = [i for i in range(index) if self._asked(self.flow[i])]
        if not earlier:
            self.ask_quit()
            return
        target = earlier[-1]
        self._show(target, self.flow[target](self.ctx, self.installer, self.choices))

    def _show_progress(self) -> None:
        confirm = Confirm(self.ctx, self.installer, self.choices)
        if confirm.plan is None:  # answered past Confirm, but the plan cannot be made
            self.index = self.flow.index(Confirm)
            self._show(self.index, confirm)
            return
        actions = {VIEW_LOG: self.view_log, REBOOT: self.reboot, SHELL: self.open_shell, BACK: self.back,
                   EXIT: self.exit}
        view = ProgressView(self.installer, confirm.plan, self.style, self.dispatcher, actions)
        self.view = view
        self.index = len(self.flow)
        self.holder.original_widget = view
        self._refresh_chrome()
        view.start()

    # -- chrome and keys --------------------------------------------------------------------

    def _update_header(self) -> None:
        media = self.installer.image.version if self.installer.image else "no media"
        left = f" {PRODUCT_NAME} installer: {media}"
        right = "DRY RUN " if self.installer.dry_run else ""
        self.header.set_text(self.style.text(left + " " * max(1, 80 - len(left) - len(right)) + right))

    def _footer_text(self) -> str:
        if self.dialogs:
            return " Tab next  Enter press  Esc close  F1 help"
        if isinstance(self.view, ProgressView) and self.view.running:
            return " Installing; please wait  (the log: View log)"
        return " F1 help  Tab next  Enter select  F10 Continue  Esc back  Ctrl-L redraw"

    def _refresh_chrome(self) -> None:
        self.footer.set_text(self.style.text(self._footer_text()))
        widget: urwid.Widget = self.frame
        for dialog in self.dialogs:
            width, height = dialog.size
            widget = urwid.Overlay(dialog, widget, align="center", width=width, valign="middle", height=height)
        self.top.original_widget = widget

    def _unhandled(self, key: str | tuple[str, int, int, int]) -> bool:
        """Esc and Tab once the widgets passed them on, so in the order they were typed (an
        input filter would act on them before the keys typed ahead reached their field)."""
        if key == "esc":
            if self.dialogs:
                if self.dialogs[-1].closable:
                    self.close_dialog(self.dialogs[-1])
            elif not self._settled():
                self.back()
            return True
        if key == "ctrl l":  # a garbled screen (line noise on a serial console) is repainted
            if self.loop.screen.started:
                self.loop.screen.clear()
            return True
        if key in ("f1", "?"):  # `?` typed in a field never gets here: the field took it
            self.show_help()
            return True
        if key == "f10" and not self.dialogs and isinstance(self.view, ScreenView):
            self.view.focus_buttons()  # Continue when it can be pressed
            return True
        if key not in ("tab", "shift tab"):
            return False
        if self.dialogs:
            focus.step(self.dialogs[-1], forward=key == "tab")
        elif isinstance(self.view, ScreenView):
            if self.view.pile.focus_position == 3 and self.view.has_fields:
                self.view.pile.focus_position = 0
            else:
                self.view.focus_buttons()
        return True

    def show_help(self) -> None:
        """F1: what the current screen asks and the installer's keys."""
        from ovirt_node.ui import help as page_help

        if self.dialogs:
            if not self.dialogs[-1].title.startswith("Help"):
                self.show_text(f"Help: {self.dialogs[-1].title}",
                               f"Keys in this dialog:\n{page_help.keys_text(page_help.DIALOG_KEYS)}")
            return
        if isinstance(self.view, ScreenView):
            screen = self.view.screen
            text = page_help.page_help(screen, self.view.page.item_specs, {}, page_help.INSTALLER_KEYS)
            self.show_text(f"Help: {screen.title}", text)
        else:
            self.show_text("Help: Installing", "The installation's steps as they run; View log shows the log."
                           f"\n\nKeys:\n{page_help.keys_text(page_help.INSTALLER_KEYS)}")

    def _settled(self) -> bool:
        """Running or finished (dry run, done or failed): Esc must not lead back to Confirm, from
        where the run could start again; a failed run offers its Back button on purpose."""
        view = self.view
        return isinstance(view, ProgressView) and (view.running or view.ok is not None)

    def keys(self, *keys: str) -> None:
        """Feed keys as the terminal would (tests)."""
        self.loop.process_input(list(keys))

    def text(self, size: tuple[int, int] = (80, 24)) -> str:
        canvas = self.guard.render(size, focus=True)
        return "\n".join(line.rstrip() for line in canvas.decoded_text)

    # -- dialogs (the PageUI the screens' widgets use) --------------------------------------

    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        start_worker(work, done, self.dispatcher)

    def run_transaction(self, tx: Transaction, on_done: Callable[[bool], None] | None = None,
                        confirm: Confirmation | None = None) -> None:
        raise NotImplementedError("installer screens do not save through the framework")

    def reload(self) -> None:
        """Nothing to reload: the installer's screens read no live settings."""

    def lock(self) -> None:
        """The installer has no lock screen."""

    def quit(self) -> None:
        self.exit()

    # -- leaving ----------------------------------------------------------------------------

    def ask_quit(self) -> None:
        """Quit: reboot, or exit to the console; Cancel (focused) stays."""
        what = "exit (dry run: no reboot)" if self.installer.dry_run else "reboot the machine or exit to a shell"
        done = isinstance(self.view, ProgressView) and self.view.ok and not self.installer.dry_run
        state = "The installation is done." if done else "Nothing has been installed."
        dialog: MessageDialog

        def pick(action: Callable[[], None]) -> Callable[[], None]:
            def press() -> None:
                self.close_dialog(dialog)
                action()
            return press

        buttons = [PushButton(EXIT, pick(self.exit)), PushButton("Cancel", lambda: self.close_dialog(dialog))]
        if not self.installer.dry_run:
            buttons.insert(0, PushButton(REBOOT, pick(self.reboot)))
        dialog = MessageDialog("Quit", f"Leave the installer? {state} You can {what}.",
                               buttons, self.style, self.close_dialog)
        dialog.focus_button("Cancel")
        self.open_dialog(dialog)

    def view_log(self) -> None:
        if isinstance(self.view, ProgressView):
            self.show_text("Log", self.view.log_text(), at_end=True)

    def reboot(self) -> None:
        if self.installer.dry_run or self.reboot_action is None:
            log.info("reboot asked for; dry run: not rebooting")
            self.exit()
            return
        self.reboot_action()
        self.exit()

    def exit(self) -> None:
        if isinstance(self.view, ProgressView) and self.view.ok is False:
            self.exit_code = 1
        self.done = True
        self.loop.set_alarm_in(0, _exit_loop)

    def open_shell(self) -> None:
        shell = os.environ.get("SHELL") or "/bin/sh"
        with self.loop.paused():
            try:
                subprocess.run([shell], check=False)  # needs the terminal: not through system.run
            except OSError as exc:
                log.error("shell %s failed: %s", shell, exc)

    def run(self) -> int:
        try:
            with contextlib.suppress(urwid.ExitMainLoop):
                self.loop.run()
        finally:
            if self._loop_dispatcher is not None:
                self._loop_dispatcher.close()
        return self.exit_code


def _exit_loop(*_args: object) -> None:
    raise urwid.ExitMainLoop()
