"""Dialogs: info, confirm (Cancel first), text viewer, and transaction progress from a worker."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.steps import WriteFile
from ovirt_node.core.transaction import Step, StepRun, Transaction
from ovirt_node.ui.dialogs import ConfirmDialog, Dialog, InfoDialog, ProgressDialog, TextDialog
from ovirt_node.ui.palette import style_for
from ovirt_node.ui.testing import canvas_text
from ovirt_node.ui.worker import Manual

STYLE = style_for("color")
BASIC = style_for("basic")


class Closed:
    def __init__(self) -> None:
        self.dialogs: list[Dialog] = []

    def __call__(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog)


def test_info_dialog_closes_with_ok() -> None:
    closed = Closed()
    dialog = InfoDialog("Support", "Support page not installed", STYLE, closed)
    text = "\n".join(canvas_text(dialog, (60, 7)))
    assert "Support" in text and "Support page not installed" in text and "< OK >" in text
    dialog.keypress((60, 7), "enter")
    assert closed.dialogs == [dialog]


def test_confirm_focuses_cancel_and_ok_runs_the_action() -> None:
    yes: list[bool] = []
    closed = Closed()
    dialog = ConfirmDialog("Quit", "Really?", lambda: yes.append(True), STYLE, closed)
    dialog.keypress((60, 7), "enter")  # Cancel has the focus
    assert yes == [] and closed.dialogs == [dialog]
    dialog = ConfirmDialog("Quit", "Really?", lambda: yes.append(True), STYLE, closed)
    dialog.keypress((60, 7), "left")
    dialog.keypress((60, 7), "enter")
    assert yes == [True]


def test_text_dialog_scrolls() -> None:
    text = "\n".join(f"line {i}" for i in range(50))
    dialog = TextDialog("Output", text, STYLE, Closed())
    first = "\n".join(canvas_text(dialog, (60, 12)))
    assert "line 0" in first and "line 20" not in first
    for _ in range(3):
        dialog.keypress((60, 12), "page down")
    later = "\n".join(canvas_text(dialog, (60, 12)))
    assert "line 0" not in later and "< Close >" in later


def test_text_dialog_finds_text_with_slash_and_n() -> None:
    text = "\n".join(["boot"] + [f"line {i}" for i in range(60)] + ["Kernel PANIC here", "tail", "panic again"])
    closed = Closed()
    dialog = TextDialog("Journal", text, STYLE, closed)
    size = (60, 12)

    def screen() -> str:
        return "\n".join(canvas_text(dialog, size))

    assert "/ find" in screen() and "panic" not in screen().lower()
    for key in ["/", *"PaniX", "backspace", "c", "enter"]:
        dialog.keypress(size, key)
    assert "Kernel PANIC here" in screen() and "line 62 of 64" in screen(), "case ignored, scrolled to it"
    dialog.keypress(size, "n")
    assert "panic again" in screen() and "line 64 of 64" in screen()
    dialog.keypress(size, "n")
    assert "line 62 of 64 (from the top)" in screen()
    for key in ["/", *"nowhere", "enter"]:
        dialog.keypress(size, key)
    assert "not found: nowhere" in screen()
    dialog.keypress(size, "enter")  # the focus stayed on Close
    assert closed.dialogs == [dialog]


def test_dialogs_are_ascii_in_basic_mode() -> None:
    for dialog in (InfoDialog("T\u2192", "caf\u00e9 \u2026", BASIC, Closed()),
                   ConfirmDialog("Q", "sure?", lambda: None, BASIC, Closed()),
                   TextDialog("T", "\u2500\u2500 x", BASIC, Closed())):
        lines = canvas_text(dialog, (60, 10))
        assert all(line.isascii() for line in lines), lines
        assert lines[0].startswith("+-")


class Fail(Step):
    title = "Break on purpose"

    def apply(self, ctx: Context, run: StepRun) -> None:
        raise OSError("disk on fire")


class Wait(Step):
    title = "Wait for the test"

    def __init__(self) -> None:
        self.go = threading.Event()

    def apply(self, ctx: Context, run: StepRun) -> None:
        assert self.go.wait(10)


def run_dialog(tx: Transaction, root: Path) -> tuple[ProgressDialog, Manual, list[bool]]:
    main = Manual()
    done: list[bool] = []
    dialog = ProgressDialog(tx, Context(root=Root.at(root)), main, STYLE, Closed(), done.append)
    dialog.start()
    return dialog, main, done


def drain_until(main: Manual, predicate: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not callable(predicate) or not predicate():
        assert time.monotonic() < deadline, "timed out"
        main.run_pending(wait=0.05)


def test_progress_shows_each_step_then_the_result(tmp_path: Path) -> None:
    wait = Wait()
    tx = Transaction("Save things", [WriteFile("/etc/a.conf", "a\n"), wait, WriteFile("/etc/b.conf", "b\n")])
    dialog, main, done = run_dialog(tx, tmp_path)
    drain_until(main, lambda: "(2/3) Wait for the test: running" in "\n".join(canvas_text(dialog, (70, 16))))
    text = "\n".join(canvas_text(dialog, (70, 16)))
    assert "(1/3) Write /etc/a.conf: done" in text and "(3/3) Write /etc/b.conf: pending" in text
    assert not dialog.closable and "Close" not in text
    wait.go.set()
    drain_until(main, lambda: dialog.ok is not None)
    text = "\n".join(canvas_text(dialog, (70, 16)))
    assert "(3/3) Write /etc/b.conf: done" in text and "Done: 3 steps applied." in text and "< Close >" in text
    assert dialog.closable and done == [True]
    assert (tmp_path / "etc/b.conf").read_text() == "b\n"


def test_failure_shows_the_error_and_the_rollback(tmp_path: Path) -> None:
    tx = Transaction("Save things", [WriteFile("/etc/a.conf", "a\n"), Fail()])
    dialog, main, done = run_dialog(tx, tmp_path)
    drain_until(main, lambda: dialog.ok is not None)
    text = "\n".join(canvas_text(dialog, (70, 16)))
    assert "(2/2) Break on purpose: failed (disk on fire); rolled back" in text
    assert "(1/2) Write /etc/a.conf: rolled back" in text
    assert "Failed: Break on purpose: disk on fire" in text and "rolled back" in text
    assert done == [False] and not (tmp_path / "etc/a.conf").exists()


def test_a_long_message_scrolls_and_keeps_its_buttons_on_screen() -> None:
    yes: list[bool] = []
    text = "\n".join(f"line {i}" for i in range(40))
    dialog = ConfirmDialog("Long", text, lambda: yes.append(True), STYLE, Closed())
    assert dialog.size == (("relative", 90), ("relative", 85))
    shown = "\n".join(canvas_text(dialog, (70, 20)))
    assert "line 0" in shown and "line 30" not in shown and "< OK >" in shown and "< Cancel >" in shown
    for _ in range(3):
        dialog.keypress((70, 20), "page down")
    shown = "\n".join(canvas_text(dialog, (70, 20)))
    assert "line 39" in shown and "< Cancel >" in shown
    dialog.keypress((70, 20), "left")
    dialog.keypress((70, 20), "enter")
    assert yes == [True]
    short = InfoDialog("Short", "one line", STYLE, Closed())
    assert short.size == (60, "pack")
