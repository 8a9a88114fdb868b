"""`--json` of `set`, `apply` and `set-password`: what a tool needs to know after a run, on
stdout as one JSON object, with the exit codes unchanged:

    {"changed": bool, "steps": [{"title", "state", "detail"}], "warnings": [str],
     "diff": {path: unified diff}, "error": str | null}

`changed` is false for a no-op (a real change and a no-op both exit 0, so a tool tells them
apart here); `diff` holds each file the run wrote, as a unified diff of its text (a file that
holds only secrets, such as /etc/shadow, is named but not shown); a dry run lists the planned
steps with the state "planned" and changes nothing.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Progress, StepState

#: Files whose lines are secrets: a diff of them would leak hashes.
SECRET_FILES = frozenset({"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-"})
SECRET_DIFF = "(holds password hashes: not shown)"
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

    def progress(self, event: Progress) -> None:
        """The transaction's progress callback: the last state of each step is kept."""
        if event.state is StepState.RUNNING and not event.detail:
            return
        step = Step(event.title, event.state.value, event.detail)
        if event.index <= len(self.steps):  # a later state of a step (failed, rolled back)
            self.steps[event.index - 1] = step
        else:  # steps report in order: this is the next one
            self.steps.append(step)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)


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
