"""ovirt.node.config: apply settings with `ovirt-node-config apply --json -`, answers on stdin.

Check mode asks for the plan (`--check`, or `--dry-run` from a node whose ovirt-node-config has no
--check yet) and reports whether anything would change; a real run reports what the CLI says
changed, with its diffs, so a second run with the same settings is `changed: false`.
"""

from __future__ import annotations

import json
from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.ovirt.node.plugins.plugin_utils.node_cli import (
    COMMON_SPEC,
    EXIT_INVALID,
    UNKNOWN_OPTION,
    NodeTool,
    Outcome,
    ansible_diff,
    parse_json,
)

SPEC: dict[str, dict[str, Any]] = {
    "settings": {"type": "dict"},
    "answers": {"type": "dict"},
    "wait": {"type": "float", "default": 0.0},
    **COMMON_SPEC,
}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(SPEC, mutually_exclusive=[("settings", "answers")],
                                              required_one_of=[("settings", "answers")])
        answers = args["settings"] if args["settings"] is not None else args["answers"]
        if not answers:
            return {**result, "failed": True, "msg": "no settings given"}
        tool = NodeTool(self, args, "ovirt-node-config")
        options = [f"--wait={args['wait']:g}"] if args["wait"] else []
        stdin = json.dumps(answers)
        if self._task.check_mode:
            outcome = tool.run("apply", "--json", "--check", *options, "-", stdin=stdin)
            if outcome.rc == EXIT_INVALID and UNKNOWN_OPTION in outcome.stderr:  # an older node: plan only
                outcome = tool.run("apply", "--json", "--dry-run", *options, "-", stdin=stdin)
        else:
            outcome = tool.run("apply", "--json", *options, "-", stdin=stdin)
        result.update(report_result(outcome))
        return result


def report_result(outcome: Outcome) -> dict[str, Any]:
    report = parse_json(outcome)
    if report is None:  # no JSON: the tool could not start (not found, refused by the admin shell, sudo)
        return {"failed": True, "changed": False, "rc": outcome.rc, "msg": outcome.message(),
                "stderr": outcome.stderr}
    out: dict[str, Any] = {
        "changed": bool(report.get("changed")),
        "rc": outcome.rc,
        "steps": report.get("steps", []),
        "warnings": [str(w) for w in report.get("warnings", [])],
        "diff": ansible_diff(report.get("diff") or {}),
    }
    if outcome.rc != 0:
        out.update(failed=True, msg=report.get("error") or outcome.message())
    return out
