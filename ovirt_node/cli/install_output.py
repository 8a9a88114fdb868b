"""What the installer's command line prints: the plan of a `--dry-run` (or before a run) and
the progress of the run, shared by `ovirt-node-installer`, its screens' answers mode and
`ovirt-node-upgrade`."""

from __future__ import annotations

from ovirt_node.core.context import Context
from ovirt_node.core.transaction import Progress
from ovirt_node.installer.plan import autoinstall, flows
from ovirt_node.system.machine.model import Machine


def print_plan(machine: Machine, plan: autoinstall.Plan, ctx: Context) -> None:
    print(f"{plan.transaction.title} on {machine.name} ({machine.firmware.upper()} firmware, "
          f"{machine.memory_bytes // 1024**3} GiB memory)")
    if plan.layout is not None:
        print(plan.layout.describe())
        print("Commands:")
        for command in plan.layout.commands():
            print("  " + flows.shown_command(command))
    print("Steps:")
    for line in flows.plan_lines(plan.transaction, ctx):
        print("  " + line)


def print_progress(event: Progress) -> None:
    print(event, flush=True)
