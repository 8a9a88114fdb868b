"""The management network test on a page (Status and Network): run in a worker, shown as one
screen of PASS/WARN/FAIL lines under a one-line verdict. It tests the running system, so on a
node tree (the demo, a root prefix) it says where to run it instead."""

from __future__ import annotations

from ovirt_node.ui.page import PageContext, PageUI

TITLE = "Test the management network"


def verdict(statuses: list[str]) -> str:
    failed, warned = statuses.count("fail"), statuses.count("warn")
    if failed:
        return f"{failed} check(s) failed" + (f", {warned} warning(s)" if warned else "") + ":"
    return f"Every check passed, {warned} warning(s):" if warned else "Every check passed:"


def show(ctx: PageContext, ui: PageUI) -> None:
    if not ctx.root.is_host:
        ui.info(TITLE, f"The test checks the running node's network; this is the node tree {ctx.root}. "
                       "Run it on the node (here, or `ovirt-node-config test-network`).")
        return

    def work() -> str:
        from ovirt_node.core.run import Runner
        from ovirt_node.network.nettest import TARGET_SECTIONS, run_network_test, targets_from

        report = run_network_test(ctx.root, Runner(), targets_from(ctx.engine.values(TARGET_SECTIONS)))
        return verdict([c.status for c in report.checks]) + "\n\n" + report.text()

    ui.run_in_worker(work, lambda text: ui.show_text(TITLE, str(text)))
