"""ovirt.node.persist: keep paths across reboots (`persist`) or stop keeping them (`unpersist`).

`persist --list` tells what is persisted already, so only the paths that need it are handed to
the tool: a second run is `changed: false`, and check mode says what would change.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.ovirt.node.plugins.plugin_utils.node_cli import COMMON_SPEC, NodeTool

SPEC: dict[str, dict[str, Any]] = {
    "paths": {"type": "list", "elements": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
    **COMMON_SPEC,
}


def covered(path: str, persisted: list[str]) -> bool:
    """Persisted itself, or inside a persisted directory."""
    return any(path == entry or path.startswith(entry.rstrip("/") + "/") for entry in persisted)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(SPEC)
        tool = NodeTool(self, args, "persist")
        listed = tool.run("--list")
        if listed.rc != 0:
            return {**result, "failed": True, "changed": False, "rc": listed.rc, "msg": listed.message()}
        persisted = [line.strip() for line in listed.stdout.splitlines() if line.strip()]
        # The tool's own checks (absolute, exists, allowed location) still apply to what is handed over.
        paths = [posixpath.normpath(p) if p.startswith("/") else p for p in args["paths"]]
        present = args["state"] == "present"
        todo = [p for p in paths if covered(p, persisted) != present]
        result.update(changed=bool(todo), paths=todo)
        if not todo or self._task.check_mode:
            return result
        program = tool.binary if present else posixpath.join(posixpath.dirname(tool.binary), "unpersist")
        outcome = tool.run(*todo, binary=program)
        result.update(rc=outcome.rc, stdout_lines=outcome.stdout.splitlines())
        if outcome.rc != 0:
            result.update(failed=True, msg=outcome.message())
        return result
