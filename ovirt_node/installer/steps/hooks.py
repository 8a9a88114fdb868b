"""Upgrade hooks: executables in `/usr/libexec/ovirt-node/hooks/<event>/`, run in name order
(3.x's ovirt-node-upgrade hook directories). Events: `pre-upgrade` (before anything is
written; a failing hook stops the upgrade), `post-upgrade` (after the new slot is the
default), `rollback` (after a rollback, or when an upgrade failed and was undone), and
`post-install` (an auto-install's last phase).

Each hook gets the event's facts in its environment (OVIRT_NODE_EVENT, OVIRT_NODE_VERSION, the
new image's version; OVIRT_NODE_TARGET, where the new slot is mounted, when it is).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Step, StepRun

log = logging.getLogger(__name__)

HOOKS_DIR = "/usr/libexec/ovirt-node/hooks"
EVENTS = ("pre-upgrade", "post-upgrade", "rollback", "post-install")
HOOK_TIMEOUT = 300


def hooks_for(root: Root, event: str, hooks_dir: str = HOOKS_DIR) -> list[Path]:
    directory = root(f"{hooks_dir}/{event}")
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir() if p.is_file() and os.access(p, os.X_OK))


def run_hooks(ctx: Context, event: str, facts: Mapping[str, str], hooks_dir: str = HOOKS_DIR) -> list[str]:
    """Run the event's hooks; their names, in the order run. A failing hook raises
    CommandError (its stderr's last line says why)."""
    env = {**os.environ, "OVIRT_NODE_EVENT": event, **facts}
    ran = []
    for hook in hooks_for(ctx.root, event, hooks_dir):
        ctx.runner([str(hook)], env=env, timeout=HOOK_TIMEOUT)
        ran.append(hook.name)
    return ran


@dataclass(frozen=True)
class RunHooks(Step):
    """One event's hooks as a step. `on_rollback` names the event run when a later step fails
    and the transaction is undone (an upgrade's `rollback` hooks)."""

    event: str
    facts: Mapping[str, str] = field(default_factory=dict)
    on_rollback: str | None = None
    hooks_dir: str = HOOKS_DIR
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Run the {self.event} hooks")

    def describe(self) -> str:
        return f"{self.title} ({self.hooks_dir}/{self.event}/)"

    def apply(self, ctx: Context, run: StepRun) -> None:
        ran = run_hooks(ctx, self.event, self.facts, self.hooks_dir)
        run.report(", ".join(ran) if ran else "none installed")

    def rollback(self, ctx: Context, run: StepRun) -> None:
        if self.on_rollback:
            run_hooks(ctx, self.on_rollback, self.facts, self.hooks_dir)
