"""An unattended installer run with its lifecycle events (docs/automation.md): `started`
before the first step, `failed` when a step fails, `succeeded` at the end, or from the
install's own last step (ReportInstall: what cannot be sent waits on the node). The kernel
line's `--auto`/`--cmdline` run and the answers file's (`answers=`, `--answers`) share it."""

from __future__ import annotations

from collections.abc import Callable

from ovirt_node.cli.install_output import print_progress
from ovirt_node.core.transaction import Transaction
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.session import Session
from ovirt_node.installer.steps.report import ReportInstall

#: Sends one `install` event: (result, detail).
Report = Callable[[str, str], None]


def run_reported(tx: Transaction, session: Session, request: autoinstall.Request, report: Report,
                 reboot: Callable[[], None] | None) -> int:
    """autoinstall.run with the events; `reboot` (None: no reboot) runs after `succeeded`, so
    the event leaves before the machine goes down."""
    title = tx.title
    report("started", title)
    reports_itself = any(isinstance(step, ReportInstall) for step in tx.steps)

    def succeeded() -> None:
        if not reports_itself:
            report("succeeded", title)

    def then_reboot() -> None:
        succeeded()
        if reboot is not None:
            reboot()

    code = autoinstall.run(tx, session, request, print_progress, then_reboot if reboot is not None else None)
    if code:
        report("failed", f"{title}: a step failed")
    elif reboot is None:
        succeeded()
    return code
