"""Progress: the plan's transaction run in a worker, each step with its state as the
transaction's progress events arrive, a bar for the image copy (the step's reported
fraction), and the log a key away. Success offers Reboot; a failure shows the failed step,
the error and where the log is, and offers the log, a shell, or going back.

A dry run runs nothing: the screen lists the steps as planned and shows the plan (every
command), as `ovirt-node-installer --dry-run` prints it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import urwid

from ovirt_node.core import explain
from ovirt_node.core.transaction import Progress, StepState, TransactionError
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.screens.state import Installer
from ovirt_node.ui.palette import Style
from ovirt_node.ui.widgets import ActionButton, button_row, styled_button
from ovirt_node.ui.worker import Dispatcher, start_worker

log = logging.getLogger(__name__)

VIEW_LOG, REBOOT, SHELL, BACK, EXIT = "View log", "Reboot", "Shell", "Back", "Exit"


class ProgressView(urwid.WidgetWrap[urwid.Pile]):
    """Runs (or, in a dry run, shows) `plan`. `actions` maps the buttons to the app."""

    def __init__(self, installer: Installer, plan: autoinstall.Plan, style: Style, dispatcher: Dispatcher,
                 actions: dict[str, Callable[[], None]]) -> None:
        self.installer = installer
        self.plan = plan
        self.style = style
        self.dispatcher = dispatcher
        self.actions = actions
        self.tx = plan.transaction
        self.running = False
        self.ok: bool | None = None
        self.error = ""
        self.events: list[str] = []
        total = len(self.tx.steps)
        state = "planned" if installer.dry_run else "pending"
        self.lines = [urwid.Text(style.text(f"({n}/{total}) {step.title}: {state}"))
                      for n, step in enumerate(self.tx.steps, 1)]
        self.walker: urwid.SimpleFocusListWalker[Any] = urwid.SimpleFocusListWalker(list(self.lines))
        self.listbox = urwid.ListBox(self.walker)
        self.bar = urwid.ProgressBar("field", "field focus", 0, 100)
        self.bar_label = urwid.Text("")
        self.copy_box = urwid.Pile([self.bar_label, self.bar])
        self.bar_holder: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(urwid.Text(""))
        self.result = urwid.Text("")
        title = f"{self.tx.title}{' (DRY RUN: nothing is written)' if installer.dry_run else ''}"
        self.button_holder: urwid.WidgetPlaceholder[urwid.Widget] = urwid.WidgetPlaceholder(urwid.Text(""))
        self.buttons: dict[str, ActionButton] = {}
        parts: list[Any] = [("pack", urwid.Text(("title", style.text(title)))), ("pack", urwid.Divider(style.rule)),
                            ("weight", 1, self.listbox), ("pack", self.bar_holder),
                            ("pack", self.result), ("pack", urwid.Divider(style.rule)), ("pack", self.button_holder)]
        self.pile = urwid.Pile(parts)
        super().__init__(self.pile)
        if installer.dry_run:
            self._dry_run()
        else:
            self._set_buttons([VIEW_LOG])

    # -- the two ways to be here ------------------------------------------------------------

    def _dry_run(self) -> None:
        lines = self.installer.plan_lines(self.plan)
        self.walker[:] = [urwid.Text(self.style.text(line)) for line in lines]
        self.events = lines
        self.ok = True
        self.result.set_text(("good", self.style.text("Dry run: every step and command planned, as listed "
                                                      "(PgUp/PgDn scroll); nothing was written.")))
        self._set_buttons([VIEW_LOG, EXIT])

    def keypress(self, size: tuple[int, int], key: str) -> str | None:  # type: ignore[override]
        if key in ("up", "down", "page up", "page down", "home", "end"):
            cols, rows = size
            self.listbox.keypress((cols, max(rows - 8, 1)), key)
            return None
        result: str | None = super().keypress(size, key)
        return result

    def start(self) -> None:
        """Run the transaction in a worker; events come back through the dispatcher."""
        if self.installer.dry_run or self.running or self.ok is not None:
            return
        self.running = True

        def progress(event: Progress) -> None:  # worker thread: hand over, touch nothing
            self.dispatcher.post(lambda: self.update(event))

        def work() -> object:
            self.tx.run(self.installer.session.ctx, progress)
            return None

        start_worker(work, self.finished, self.dispatcher, name="ovirt-node-installer")

    # -- events -----------------------------------------------------------------------------

    def update(self, event: Progress) -> None:
        self.events.append(str(event))
        log.info("%s", event)
        if not 1 <= event.index <= len(self.lines):
            return
        line = self.lines[event.index - 1]
        detail = f" ({event.detail})" if event.detail else ""
        attr = "error" if event.state in (StepState.FAILED, StepState.ROLLED_BACK) else \
            "good" if event.state is StepState.DONE else "body"
        line.set_text((attr, self.style.text(f"({event.index}/{event.total}) {event.title}: {event.state.value}"
                                             f"{detail}")))
        if event.fraction is not None:  # the image copy: its line and a bar under the steps
            self.bar.set_completion(int(event.fraction * 100))
            self.bar_label.set_text(self.style.text(f"{event.title}: {event.detail}"))
            self.bar_holder.original_widget = self.copy_box
        elif event.state is not StepState.RUNNING:
            self.bar_holder.original_widget = urwid.Text("")

    def finished(self, result: object) -> None:
        self.running = False
        self.ok = result is None
        where = self.installer.log_path or "the journal"
        if result is None:
            self.result.set_text(("good", self.style.text(f"{self.tx.title}: done. Remove the boot media and reboot.")))
            self._set_buttons([REBOOT, VIEW_LOG])
            return
        if isinstance(result, TransactionError):
            self.error = f"Failed at: {result.step}\n{result.reason}"
        else:
            why = explain.cause(result) if isinstance(result, BaseException) else str(result)
            self.error = f"Failed: {why}"
        log.error("%s: %s", self.tx.title, self.error.replace("\n", ": "))
        self.result.set_text(("error", self.style.text(f"{self.error}\nThe log is kept at {where}. "
                                                       "The machine was not rebooted.")))
        self._set_buttons([VIEW_LOG, SHELL, BACK])

    def _set_buttons(self, labels: list[str]) -> None:
        self.buttons = {label: ActionButton(label, self.actions.get(label, lambda: None)) for label in labels}
        self.button_holder.original_widget = button_row([styled_button(b) for b in self.buttons.values()])
        self.pile.focus_position = len(self.pile.contents) - 1

    def log_text(self) -> str:
        path = self.installer.log_path
        if path is not None and path.is_file():
            return path.read_text(errors="replace")
        return "\n".join(self.events) or "(nothing logged yet)"
