"""`--json` of `set`, `apply` and `set-password`: what a tool needs to know after a run, on
stdout as one JSON object, with the exit codes unchanged:

    {"changed": bool, "steps": [{"title", "state", "detail"}], "warnings": [str],
     "diff": {path: unified diff}, "error": str | null}

`changed` is false for a no-op (a real change and a no-op both exit 0, so a tool tells them
apart here); `diff` holds each file the run wrote, as a unified diff of its text (a file that
holds only secrets, such as /etc/shadow, is named but not shown); a check (`--check`, alias
`--dry-run`) lists the planned steps with the state "planned", the diff of each file the plan
would write (worked out in memory: `planned_diffs`) and changes nothing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Progress, StepState

if TYPE_CHECKING:
    from ovirt_node.core.context import Context
    from ovirt_node.core.transaction import Transaction

#: Files whose lines are secrets: a diff of them would leak hashes.
SECRET_FILES = frozenset({"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-"})
SECRET_DIFF = "(holds password hashes: not shown)"
#: A file that would show a secret value of the change itself (a plugin's password in its file).
HOLDS_SECRET = "(holds a secret of this change: not shown)"
MAX_BYTES = 1024 * 1024


@dataclass
class Step:
    title: str
    state: str
    detail: str = ""


@dataclass
class ChangeReport:
    changed: bool = False
    steps: list[Step] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diff: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    #: Steps of earlier transactions of this run (`cmdline` runs one per area).
    offset: int = field(default=0, repr=False)

    def next_transaction(self) -> None:
        self.offset = len(self.steps)

    def progress(self, event: Progress) -> None:
        """The transaction's progress callback: the last state of each step is kept."""
        if event.state is StepState.RUNNING and not event.detail:
            return
        step = Step(event.title, event.state.value, event.detail)
        index = self.offset + event.index
        if index <= len(self.steps):  # a later state of a step (failed, rolled back)
            self.steps[index - 1] = step
        else:  # steps report in order: this is the next one
            self.steps.append(step)

    def plan(self, tx: Transaction, ctx: Context) -> None:
        """A check's steps: each planned step as the plan describes it."""
        self.changed = self.changed or bool(tx.steps)
        self.steps.extend(Step(line, "planned") for line in tx.describe(ctx))

    def to_json(self) -> str:
        data = asdict(self)
        del data["offset"]
        return json.dumps(data, indent=1)


def read_texts(root: Root, paths: Iterable[str]) -> dict[str, str | None]:
    """Each node path's text now (None: absent, or not a regular file)."""
    texts: dict[str, str | None] = {}
    for path in dict.fromkeys(paths):
        try:
            target = root(path)
            texts[path] = target.read_bytes()[:MAX_BYTES].decode(errors="replace") if target.is_file() else None
        except (OSError, ValueError):
            texts[path] = None
    return texts


def diffs(before: dict[str, str | None], after: dict[str, str | None]) -> dict[str, str]:
    found = {}
    for path, old in before.items():
        new = after.get(path)
        if old == new:
            continue
        if path in SECRET_FILES:
            found[path] = SECRET_DIFF
            continue
        found[path] = "".join(difflib.unified_diff((old or "").splitlines(True), (new or "").splitlines(True),
                                                   fromfile=f"a{path}" if old is not None else "/dev/null",
                                                   tofile=f"b{path}" if new is not None else "/dev/null"))
    return found


def planned_diffs(plans: Iterable[Transaction], ctx: Context) -> dict[str, str]:
    """The diff of every file the plans would write, worked out without writing: each step's
    preview in order (Augeas edits pile up in the handle's tree, rendered, never saved); a
    file only a command or tool writes is named with why it is not shown. The handle is
    dropped afterwards, so nothing of the preview is ever saved."""
    after: dict[str, str | None] = {}
    unseen: dict[str, str] = {}
    try:
        for tx in plans:
            for step in tx.steps:
                texts = step.preview(ctx)
                if texts is None:
                    unseen.update({path: step.title for path in step.backs_up(ctx)})
                else:
                    after.update(texts)
    finally:
        ctx.reload()
    found = diffs(read_texts(ctx.root, after), after)
    for path, title in unseen.items():
        found.setdefault(path, SECRET_DIFF if path in SECRET_FILES else f"(written by: {title}; known once it runs)")
    return found


def hide_secrets(found: dict[str, str], secrets: Iterable[str]) -> dict[str, str]:
    """Each diff that shows one of the change's secret values is replaced by a note."""
    shown = [secret for secret in secrets if secret]
    return {path: HOLDS_SECRET if any(secret in text for secret in shown) else text for path, text in found.items()}


def print_diffs(found: dict[str, str]) -> None:
    for path, text in found.items():
        print(text if text.startswith("---") else f"{path}: {text}", end="" if text.endswith("\n") else "\n")
