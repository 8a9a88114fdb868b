"""The setup TUI warms up, while its UI modules are imported, the sections the first screen
reads (cli/setup.py's FIRST_SCREEN_SECTIONS): they must be the ones the Status page reads, or
the warm-up is work for nothing and the first screen waits for the lenses after all."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.areas.registry import builtin_section
from ovirt_node.cli.setup import FIRST_SCREEN_SECTIONS, warm_up
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.pages.status import StatusPage
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.testing import PageHarness


def test_the_warm_up_reads_what_the_status_page_reads(page_ctx: PageContext) -> None:
    engine = page_ctx.engine
    read: list[str] = []
    original = engine.read

    def recording(sections: object = None) -> object:
        read.extend(sections or ())  # type: ignore[call-overload]
        return original(sections)  # type: ignore[arg-type]

    engine.read = recording  # type: ignore[method-assign]
    text = PageHarness(StatusPage, page_ctx).text()
    assert "Uptime" in text and "\u2026" not in text  # every value shown
    assert set(read) == set(FIRST_SCREEN_SECTIONS)


def test_the_warm_up_loads_their_lenses_and_imports_those_sections_alone(node_root: Path) -> None:
    engine = Engine(Context(root=Root.at(node_root)), lambda: [], one=builtin_section)
    warm_up(engine).join(timeout=60)
    loaded = {lf.path for lf in engine.ctx.aug.files}
    wanted = {lf.path for name in FIRST_SCREEN_SECTIONS for lf in engine.section(name).lens_files}
    assert wanted <= loaded
    assert set(engine._early) == set(FIRST_SCREEN_SECTIONS)  # no other section was built
