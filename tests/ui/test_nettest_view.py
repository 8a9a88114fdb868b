"""The network test on the Status and Network pages: on a node tree (the demo) it says where
to run it; on a running system it shows one screen: a verdict, then a line per check."""

from __future__ import annotations

import re
from pathlib import Path

from ovirt_node.areas.registry import all_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.pages.nettest_view import TITLE, verdict
from ovirt_node.pages.network.page import NetworkPage
from ovirt_node.pages.status import StatusPage
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.testing import FakeUI, PageHarness


def test_on_a_node_tree_both_pages_say_where_to_run_it(page_ctx: PageContext, node_root: Path) -> None:
    for page in (StatusPage, NetworkPage):
        ui = FakeUI(page_ctx)
        PageHarness(page, page_ctx, ui=ui).press("Test network")
        shown = ui.dialogs[-1]
        assert (shown.kind, shown.title) == ("info", TITLE)
        assert f"this is the node tree {node_root}" in shown.text and "ovirt-node-config test-network" in shown.text


def test_on_the_running_system_one_screen_of_checks() -> None:
    root = Root.at(Path("/"))
    ctx = PageContext(Engine(Context(root=root), all_sections()), load_profile(profile_path("demo")), root)
    ui = FakeUI(ctx)
    PageHarness(StatusPage, ctx, ui=ui).press("Test network")
    shown = ui.dialogs[-1]
    assert (shown.kind, shown.title) == ("text", TITLE)
    first, _, rest = shown.text.partition("\n\n")
    assert re.fullmatch(r"(Every check passed(, \d+ warning\(s\))?|\d+ check\(s\) failed(, \d+ warning\(s\))?):",
                        first)
    lines = rest.splitlines()
    assert lines and all(re.match(r"(PASS|WARN|FAIL)  \S", line) for line in lines), rest
    assert any(line.split()[1] == "route:" for line in lines)


def test_the_verdict_counts_failures_and_warnings() -> None:
    assert verdict(["pass", "pass"]) == "Every check passed:"
    assert verdict(["pass", "warn"]) == "Every check passed, 1 warning(s):"
    assert verdict(["fail", "warn", "fail"]) == "2 check(s) failed, 1 warning(s):"
