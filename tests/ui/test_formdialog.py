"""The dialogs of `DialogUI` on their own: a form dialog's OK follows its validity and keeps
the dialog open with refused values; the countdown answers no when its time runs out and
Esc cannot close it; streamed lines arrive one by one; `Runner.stream` hands lines over as
the program prints them and stops it when told."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ovirt_node.core.run import Runner
from ovirt_node.core.valid import Number
from ovirt_node.ui.dialogs import Dialog
from ovirt_node.ui.formdialog import CountdownDialog, StreamDialog
from ovirt_node.ui.page import Entry, FormSpec, Values
from ovirt_node.ui.palette import style_for
from ovirt_node.ui.testing import DialogHarness, FakeUI, canvas_text, page_context

STYLE = style_for("color")


def test_form_dialog_ok_needs_valid_values_and_may_refuse(node_root: Path) -> None:
    accepted: list[Values] = []

    def ok(values: Values) -> dict[str, str]:
        if values["n"] == "13":
            return {"n": "13 is unlucky"}
        accepted.append(dict(values))
        return {}

    ui = FakeUI(page_context(node_root))
    ui.open_form(FormSpec("Pick", [Entry("n", "Number:", validator=Number(1, 20))], {"n": "5"}, ok))
    d = DialogHarness(ui.forms[-1], ui)
    assert d.value("Number") == "5" and d.save_enabled
    d.type("Number", "50")
    assert "from 1 to 20" in d.error("Number") and not d.save_enabled
    d.press("OK")
    assert d.open and accepted == []
    d.type("Number", "13")
    d.press("OK")
    assert d.open and d.error("Number") == "13 is unlucky"
    d.type("Number", "7")
    assert d.error("Number") == ""
    d.press("OK")
    assert not d.open and accepted == [{"n": "7"}]


def test_countdown_answers_no_when_the_time_runs_out() -> None:
    answers: list[bool] = []
    closed: list[Dialog] = []
    d = CountdownDialog("Keep?", "Keep the change?", 30, answers.append, STYLE, closed.append, "Keep", "Roll back")
    text = "\n".join(canvas_text(d, (60, 8)))
    assert "30 s left, then: Roll back" in text and "< Keep >" in text
    assert not d.closable  # Esc must not dismiss it without an answer
    d.deadline = time.monotonic() + 4.2
    assert d.tick() and "4 s left" in "\n".join(canvas_text(d, (60, 8)))
    d.deadline = time.monotonic() - 1
    assert not d.tick()
    assert answers == [False] and closed == [d]
    d.answer(True)  # a late press changes nothing
    assert answers == [False]


def test_countdown_keep() -> None:
    answers: list[bool] = []
    d = CountdownDialog("Keep?", "Keep the change?", 30, answers.append, STYLE, lambda _d: None, "Keep", "Roll back")
    d.buttons[0].keypress((20,), "enter")
    assert answers == [True] and not d.tick()


def test_stream_dialog_shows_lines_then_the_outcome() -> None:
    d = StreamDialog("Ping", STYLE, lambda _d: None)
    d.append("one")
    d.append("two")
    d.finish(RuntimeError("ping: unknown host"))
    assert d.texts[:2] == ["one", "two"] and d.done
    # A sentence with the cause and what to do, not an exception's repr.
    assert d.texts[2] == "Ping did not work: ping: unknown host.\nTry again; if it fails again, the details are in " \
        "the log: write a support bundle (F8)."
    d.close()
    assert d.closed


def test_runner_stream_hands_over_lines_and_stops_when_told() -> None:
    script = "import time\nfor n in range(50):\n    print(n, flush=True)\n    time.sleep(0.05)\n"
    seen: list[str] = []

    def take(line: str) -> bool:
        seen.append(line)
        return len(seen) < 3

    start = time.monotonic()
    assert Runner().stream([sys.executable, "-c", script], take) == -1
    assert seen == ["0", "1", "2"] and time.monotonic() - start < 2
    lines: list[str] = []
    assert Runner().stream([sys.executable, "-c", "print('a'); print('b'); raise SystemExit(3)"],
                           lambda line: lines.append(line) is None) == 3
    assert lines == ["a", "b"]
    dry = Runner(dry_run=True)
    assert dry.stream(["ping", "-c", "1", "192.0.2.1"], take) == 0 and dry.calls == [("ping", "-c", "1", "192.0.2.1")]


def test_the_application_streams_lines_and_counts_down(node_root: Path) -> None:
    """The real Application: lines emitted by a worker reach the dialog through the main loop;
    Close stops the worker; the countdown dialog ignores Esc and answers with its buttons."""
    from tests.ui.test_app import App, SupportPage

    a = App(page_context(node_root), [SupportPage])
    a.settle()
    go_on = threading.Event()
    stopped: list[bool] = []

    def work(emit: Callable[[str], bool]) -> str:
        emit("first line")
        go_on.wait(5)
        stopped.append(not emit("second line"))
        return "finished"

    a.app.stream("Streaming", work)
    text = a.settle(lambda: "first line" in a.text())
    assert "Streaming" in text and "second line" not in text
    a.keys("enter")  # Close, while the worker still runs
    go_on.set()
    a.settle(lambda: bool(stopped))
    assert stopped == [True] and "Streaming" not in a.text()

    answers: list[bool] = []
    close = a.app.countdown("Keep?", "Keep the change?", 30, answers.append, "Keep", "Roll back")
    assert "30 s left, then: Roll back" in a.keys("esc") and answers == []  # Esc does nothing
    a.keys("left", "enter")
    assert answers == [True] and "Keep?" not in a.text()
    close()  # closing an answered one is harmless


def test_countdown_question_carries_the_live_count_and_lines_arrive_under_it() -> None:
    answers: list[bool] = []
    d = CountdownDialog("Keep the network configuration?", "Keep this network? It is rolled back in {left} s "
                        "unless you keep it.", 60, answers.append, STYLE, lambda _d: None, "Keep", "Roll back")
    text = " ".join(line.strip() for line in canvas_text(d, (70, 12)))
    assert "Keep this network? It is rolled back in 60 s unless you keep it." in " ".join(text.split())
    assert "s left, then" not in text  # the question says the time itself
    d.deadline = time.monotonic() + 41.2
    assert d.tick() and "rolled back in 41 s unless" in " ".join(" ".join(canvas_text(d, (70, 12))).split())
    d.append("PASS  route: default via 192.0.2.1 dev eth0")
    d.finish("Every check passed.")
    shown = "\n".join(canvas_text(d, (70, 12)))
    assert "PASS  route: default via 192.0.2.1 dev eth0" in shown and "Every check passed." in shown
    d.answer(True)
    d.append("late line")  # after the answer a line changes nothing that is shown
    assert answers == [True]
