"""The Support page (F8) and the diagnostics behind it: logs, journal, kernel messages."""

from __future__ import annotations

import shutil
from pathlib import Path

from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.pages.support import SupportPage
from ovirt_node.report import diagnostics
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.testing import FakeUI, PageHarness


def test_missing_tool_failure_and_timeout_read_as_sentences() -> None:
    assert diagnostics.capture(["no-such-tool-here", "-l"]) == "no-such-tool-here is not installed on this node."
    failed = diagnostics.capture(["ls", "/no/such/dir"])
    assert "No such file or directory" in failed and "(ls exited with status 2)" in failed
    slow = diagnostics.capture(["sleep", "5"], timeout=0.2)
    assert slow == "sleep 5: sleep exited with 124: timed out after 0.2 s"
    assert diagnostics.capture(["true"]) == "(no output)"


def test_node_logs_listed_and_tailed(tmp_path: Path) -> None:
    folder = tmp_path / "var/log/ovirt-node"
    folder.mkdir(parents=True)
    (folder / "setup.log").write_text("".join(f"entry {i}\n" for i in range(6000)))
    (folder / "setup.log.1").write_text("older\n")
    (folder / "notes.txt").write_text("not a log\n")
    logs = diagnostics.node_logs(Root.at(tmp_path))
    assert [p.name for p in logs] == ["setup.log", "setup.log.1"]
    text = diagnostics.tail(logs[0])
    assert text.splitlines()[0] == "entry 1000" and text.splitlines()[-1] == "entry 5999"
    assert diagnostics.node_logs(Root.at(tmp_path / "empty")) == []


def test_under_a_root_prefix_only_what_lies_under_the_root(tmp_path: Path) -> None:
    runner = Runner(dry_run=True)
    root = Root.at(tmp_path)
    assert diagnostics.kernel_messages(root, runner).startswith(
        f"dmesg describes the running system, so it is not run under the root prefix {root}")
    for tool in diagnostics.TOOLS:
        assert diagnostics.run_tool(tool, root, runner).startswith(f"{tool.shows} describes the running system")
    assert diagnostics.journal(root, runner).startswith(f"No journal under {root}")
    (tmp_path / "var/log/journal").mkdir(parents=True)
    diagnostics.journal(root, runner)
    assert runner.calls == [("journalctl", "-D", str(tmp_path / "var/log/journal"), "--no-pager", "-o", "short-iso",
                             "-n", "5000")]  # the host-only tools ran nothing


def test_support_page_views_each_log_in_the_viewer(page_ctx: PageContext) -> None:
    folder = page_ctx.root("/var/log/ovirt-node")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "setup.log").write_text("2026-11-21 INFO ovirt_node.setup: starting\n")
    ui = FakeUI(page_ctx)
    h = PageHarness(SupportPage, page_ctx, ui=ui)
    assert "Log: setup.log" in h.text() and "Journal (this boot)" in h.text() and "Save" not in h.text()
    h.press("Log: setup.log")
    h.press("Kernel messages")
    h.press("Journal (this boot)")
    shown = [(d.title, d.text) for d in ui.dialogs]
    assert shown[0] == ("Log setup.log", "2026-11-21 INFO ovirt_node.setup: starting")
    assert shown[1][0] == "Kernel messages" and "dmesg describes the running system" in shown[1][1]
    assert shown[2][0] == "Journal" and shown[2][1].startswith("No journal under")


def squeezed(text: str) -> str:
    """Without any white space: a long path wraps anywhere at 80 columns."""
    return "".join(text.split())


def test_create_support_bundle_shows_its_path_and_the_page_lists_it(page_ctx: PageContext) -> None:
    ui = FakeUI(page_ctx)
    h = PageHarness(SupportPage, page_ctx, ui=ui)
    support = page_ctx.root("/data/support")
    assert squeezed(f"Newest bundle none yet (bundles go to {support})") in squeezed(h.text())
    h.press("Create support bundle")
    (written,) = support.iterdir()
    assert ui.reloads == 1 and [d.kind for d in ui.dialogs] == ["info"]
    assert ui.dialogs[0].title == "Support bundle written" and ui.dialogs[0].text.startswith(f"{written}\n\n")
    assert "secrets removed" in ui.dialogs[0].text and oct(written.stat().st_mode & 0o777) == "0o600"
    assert squeezed(f"Newest bundle {written}") in squeezed(PageHarness(SupportPage, page_ctx).text())  # after F12


def test_a_bundle_that_cannot_be_written_says_why(page_ctx: PageContext) -> None:
    shutil.rmtree(page_ctx.root("/data"))
    page_ctx.root("/data").write_text("a file where the data volume should be\n")
    ui = FakeUI(page_ctx)
    PageHarness(SupportPage, page_ctx, ui=ui).press("Create support bundle")
    assert [(d.title, d.text.split(":")[0]) for d in ui.dialogs] == [
        ("No support bundle", "Writing the bundle did not work")]
    assert ui.reloads == 0 and page_ctx.root("/data").is_file()
