"""What the installer's command line prints: the plan of a `--dry-run` (or before a run) and
the progress of the run, shared by `ovirt-node-installer`, its screens' answers mode and
`ovirt-node-upgrade`. With `--json` a dry run's plan is one JSON object in the shape of
`ovirt-node-config --json` (change_report): each step "planned", the commands it would run in
its "detail", one per line; a refusal is the same object with "error" set."""

from __future__ import annotations

import sys

from ovirt_node.cli.change_report import ChangeReport, Step
from ovirt_node.core.context import Context
from ovirt_node.core.transaction import Progress, Transaction
from ovirt_node.installer.plan import autoinstall, flows
from ovirt_node.system.machine.model import Machine


def plan_report(tx: Transaction, ctx: Context) -> ChangeReport:
    steps = [Step(line, "planned", "\n".join(flows.shown_command(c) for c in getattr(step, "plan", list)()))
             for line, step in zip(tx.describe(ctx), tx.steps, strict=True)]
    return ChangeReport(changed=bool(steps), steps=steps)


def refused(prog: str, message: str, as_json: bool) -> None:
    """A refusal on stderr, as ever; with --json also as the report's error on stdout."""
    print(f"{prog}: {message}", file=sys.stderr)
    if as_json:
        print(ChangeReport(error=message).to_json())


def print_plan(machine: Machine, plan: autoinstall.Plan, ctx: Context, as_json: bool = False) -> None:
    if as_json:
        print(plan_report(plan.transaction, ctx).to_json())
        return
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
