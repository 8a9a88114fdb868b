"""The install's lifecycle event (`install` `succeeded`), sent as the last step before the
node's filesystems are unmounted: the install media rarely has a network (only the node's
connections are configured), so what cannot be delivered, the `started` event queued on the
live system included, is spooled on the node's Logging volume, and its first boot sends it.
Planned only when the kernel arguments name `report_url=`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.installer.steps.configure import node_root
from ovirt_node.installer.steps.storage import Target
from ovirt_node.report.lifecycle import send_event


@dataclass(frozen=True)
class ReportInstall(Step):
    live: Root
    target: Target
    kernel_args: KernelArgs
    log_file: Path | None
    detail: str
    title: str = "Report the install to report_url (or queue it on the node)"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run:
            return
        # Never fails the install: send_event logs its problems and returns.
        send_event(self.live, "install", "succeeded", self.detail, log_excerpt=self.log_file,
                   kernel_args=self.kernel_args, spool_to=node_root(self.target))
