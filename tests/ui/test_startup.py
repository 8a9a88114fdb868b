"""What the setup TUI leaves for later to keep its first screen quick (the budget is in
`make bench`): the sections, Augeas and the pages' heavy modules load when a page or the
engine first needs them (the Status page reads its values as plain text), and
importlib.metadata not at all."""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pexpect
from urwid.testing import ScriptedScreen

from ovirt_node import pages as builtin_pages
from ovirt_node.areas.registry import builtin_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.model import Section
from ovirt_node.core.root import Root
from ovirt_node.pages.status import StatusPage
from ovirt_node.ui.app import FIRST_VALUES_WAIT, Application
from ovirt_node.ui.auth import DemoAuthenticator
from ovirt_node.ui.page import Item, KeyValue, Page, PageContext, PageRef
from ovirt_node.ui.testing import PageHarness
from tests.node_fixtures import REPO, node_root

__all__ = ["node_root"]

# The real start (tty check, logging, machine, plugins, engine, the Status page), stopped once
# the first screen is rendered: what is imported by then is what the operator waited for.
FIRST_SCREEN = """
import sys
from ovirt_node.ui.app import Application

def first_screen(self):
    import threading
    assert "Status" in self.text() and "Network" in self.text()
    for thread in threading.enumerate():  # the Status page's values, read in workers
        if thread is not threading.current_thread():
            thread.join(timeout=20)
    print("MODULES", " ".join(sorted(sys.modules)), "END")
    made = {f"{m.__name__}.{c.__qualname__}" for m in list(sys.modules.values())
            if m is not None and m.__name__.startswith("ovirt_node.")
            for c in vars(m).values()
            if isinstance(c, type) and c.__module__ == m.__name__ and "__dataclass_fields__" in vars(c)}
    print("DATACLASSES", " ".join(sorted(made)), "END")

Application.run = first_screen
from ovirt_node.cli.setup import main
sys.exit(main(sys.argv[1:]))
"""


def _first_screen(node_root: Path) -> tuple[set[str], set[str]]:
    """The modules imported and the dataclasses of ours built by the first full screen."""
    child = pexpect.spawn(sys.executable, ["-c", FIRST_SCREEN, "--root", str(node_root), "--machine", "demo", "--demo"],
                          cwd=str(REPO), env={"TERM": "xterm-256color", "PATH": "/usr/bin:/bin"}, encoding="utf-8",
                          dimensions=(24, 80), timeout=30)
    child.expect(r"MODULES (.*?) END")
    modules = set(str(child.match.group(1)).split())
    child.expect(r"DATACLASSES (.*?) END")
    made = set(str(child.match.group(1)).split())
    child.expect(pexpect.EOF)
    return modules, made


def test_the_first_screen_needs_no_section_module_no_augeas_and_no_importlib_metadata(node_root: Path) -> None:
    modules, _ = _first_screen(node_root)
    assert "ovirt_node.pages.status" in modules  # the first page is there, the others listed by reference only
    listed = [ref for ref in vars(builtin_pages).values() if isinstance(ref, PageRef)]
    assert len(listed) == 11 and not modules & {ref.target.partition(":")[0] for ref in listed}
    section_modules = {type(s).__module__ for s in builtin_sections()}
    assert len(section_modules) >= 8
    assert "ovirt_node.core.plaintext" in modules  # the Status values were read, as plain text
    later = {*section_modules, "augeas", "ovirt_node.core.steps", "importlib.metadata", "argparse"}
    assert not modules & later


#: The first screen builds no dataclass (each costs it compiles on Python 3.11): the page
#: API's items, Root, Key, LensFile and ManagementStack are frozen records (core/record.py),
#: the engine's Context a plain class, internal records named tuples or plain classes.
FIRST_SCREEN_DATACLASSES: set[str] = set()


def test_the_first_screen_builds_no_other_dataclass(node_root: Path) -> None:
    _, made = _first_screen(node_root)
    assert made == FIRST_SCREEN_DATACLASSES


def test_the_status_page_reads_no_section_through_the_engine_on_a_plain_tree(page_ctx: PageContext) -> None:
    engine = page_ctx.engine
    read: list[str] = []
    original = engine.read

    def recording(sections: object = None) -> object:
        read.extend(sections or ())  # type: ignore[call-overload]
        return original(sections)  # type: ignore[arg-type]

    engine.read = recording  # type: ignore[method-assign]
    text = PageHarness(StatusPage, page_ctx).text()
    assert "Uptime" in text and "\u2026" not in text and "Local only" in text  # every value shown
    assert read == [] and "aug" not in engine.ctx.__dict__  # no Augeas handle was made


class Counted(Section):
    name = "counted"
    keys = ()


def test_the_engine_builds_lazy_sections_once_when_first_needed(tmp_path: Path) -> None:
    calls: list[int] = []
    ready = threading.Barrier(4)

    def make() -> list[Section]:
        calls.append(1)
        return [*builtin_sections(), Counted()]

    engine = Engine(Context(root=Root.at(tmp_path)), make)
    assert not calls
    seen: list[bool] = []

    def ask() -> None:
        ready.wait()
        seen.append("ssh.port" in engine.keys and "counted" in engine.sections)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == [True] * 4 and calls == [1]


class SlowValuePage(Page):
    name = "slow"
    title = "Slow"
    editable = False

    def layout(self) -> Sequence[Item]:
        def late(_ctx: PageContext) -> str:
            time.sleep(1.5)
            return "late"

        return [KeyValue("Quick", lambda _ctx: "here"), KeyValue("Slow", late), KeyValue("After", lambda _ctx: "too"),
                KeyValue("Last", lambda _ctx: "as well")]


def test_the_first_screen_is_drawn_whole_when_its_values_come_quickly(page_ctx: PageContext) -> None:
    app = Application(page_ctx, [StatusPage], DemoAuthenticator(), screen=ScriptedScreen(size=(80, 24)))
    assert "\u2026" in app.text()  # nothing read yet: the workers wait for run()
    app._first_values()
    text = app.text()
    assert "Uptime" in text and "\u2026" not in text and "Local only" in text, text


def test_a_slow_value_keeps_the_first_screen_waiting_only_a_moment(page_ctx: PageContext) -> None:
    app = Application(page_ctx, [SlowValuePage], DemoAuthenticator(), screen=ScriptedScreen(size=(80, 24)))
    started = time.monotonic()
    app._first_values()
    waited = time.monotonic() - started
    text = app.text()
    assert re.search(r"Quick\s+here", text) and re.search(r"Slow\s+\u2026", text), text
    # The values after the slow one are not held up by it: another thread took them on.
    assert re.search(r"After\s+too", text) and re.search(r"Last\s+as well", text), text
    assert FIRST_VALUES_WAIT - 0.01 <= waited < 1.0


# The real start, reporting the cyclic collector's state as the first screen is drawn and a
# moment after it.
COLLECTOR = """
import gc, sys
import urwid
from ovirt_node.ui.app import Application

apps = []
draw = urwid.display.raw.Screen.draw_screen
def first_draw(self, size, canvas):
    result = draw(self, size, canvas)
    if not getattr(first_draw, "seen", False):
        first_draw.seen = True
        sys.stderr.write(f"AT FIRST DRAW {gc.isenabled()}\\n")
        loop = apps[0].loop  # a moment after the first draw: reported, then quit
        loop.set_alarm_in(0.2, lambda *_: sys.stderr.write(f"AFTER {gc.isenabled()}\\n"))
        loop.set_alarm_in(0.3, lambda *_: (_ for _ in ()).throw(urwid.ExitMainLoop()))
    return result
urwid.display.raw.Screen.draw_screen = first_draw

run = Application.run
def keeping(self):
    apps.append(self)
    run(self)
Application.run = keeping
from ovirt_node.cli.setup import main
code = main(sys.argv[1:])
sys.stderr.write(f"EXIT {code} {gc.isenabled()}\\n")
"""


def test_the_cyclic_collector_waits_for_the_first_screen_and_is_on_after_it(node_root: Path) -> None:
    child = pexpect.spawn(sys.executable, ["-c", COLLECTOR, "--root", str(node_root), "--machine", "demo", "--demo"],
                          cwd=str(REPO), env={"TERM": "xterm-256color", "PATH": "/usr/bin:/bin"}, encoding="utf-8",
                          dimensions=(24, 80), timeout=30)
    child.expect(r"AT FIRST DRAW (\w+)")
    assert child.match.group(1) == "False"  # start-up ran without collections
    child.expect(r"AFTER (\w+)")
    assert child.match.group(1) == "True"  # and the session runs with them
    child.expect(r"EXIT (\d+) (\w+)")
    assert child.match.groups() == ("0", "True")
    child.expect(pexpect.EOF)
