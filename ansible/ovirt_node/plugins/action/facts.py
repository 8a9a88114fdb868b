"""ovirt.node.facts: the node's settings from `ovirt-node-config show --json` as ansible_facts.ovirt_node
(key -> value) and ansible_facts.ovirt_node_sources (key -> where the value comes from)."""

from __future__ import annotations

from typing import Any

from ansible.plugins.action import ActionBase
from ansible_collections.ovirt.node.plugins.plugin_utils.node_cli import COMMON_SPEC, NodeTool, parse_json

SPEC: dict[str, dict[str, Any]] = {"prefix": {"type": "str", "default": ""}, **COMMON_SPEC}


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _supports_async = False

    def run(self, tmp: Any = None, task_vars: dict[str, Any] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = super().run(tmp, task_vars)
        _, args = self.validate_argument_spec(SPEC)
        tool = NodeTool(self, args, "ovirt-node-config")
        outcome = tool.run("show", "--json", *([args["prefix"]] if args["prefix"] else []))
        shown = parse_json(outcome) if outcome.rc == 0 else None
        if shown is None:
            return {**result, "failed": True, "changed": False, "rc": outcome.rc, "msg": outcome.message()}
        values = {key: entry.get("value") for key, entry in shown.items() if isinstance(entry, dict)}
        sources = {key: entry.get("source") for key, entry in shown.items() if isinstance(entry, dict)}
        result.update(changed=False, ansible_facts={"ovirt_node": values, "ovirt_node_sources": sources})
        return result
