"""The boot lifecycle's state file: which slot runs, whether it was a trial or a fallback, and
what the health checks said (boot/health.py writes it; the Status page, `ovirt-node-upgrade
--status` and the lifecycle report read it). It lives on the Config volume, so the record of
a failed trial survives the reboot back into the old slot.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ovirt_node.core.root import Root

STATE_DIR = "/config/ovirt-node-state"
STATE_FILE = f"{STATE_DIR}/boot.json"
#: The management network as the upgrade saw it, for the first boot of the new slot.
NETWORK_FILE = f"{STATE_DIR}/network.json"


def read_json(root: Root, path: str) -> dict[str, Any] | None:
    """The JSON object at node path `path` (None when missing or unreadable)."""
    try:
        data = json.loads(root(path).read_text(errors="replace"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json(root: Root, path: str, data: dict[str, Any]) -> None:
    """Written whole, then renamed into place (a reboot right after finds the old or the new)."""
    target = Path(root(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.tmp")
    with temp.open("w") as stream:
        json.dump(data, stream, indent=1)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temp, target)


def read_state(root: Root) -> dict[str, Any] | None:
    return read_json(root, STATE_FILE)


def summary(state: dict[str, Any] | None) -> list[str]:
    """The state as short lines for people: the slot and how it came up, then any failure."""
    if not state:
        return ["no health check has run on this node yet"]
    how = "fallback after a failed trial" if state.get("fallback") else "trial boot" if state.get("trial") else "boot"
    lines = [f"slot {state.get('slot')} ({state.get('version')}), {how}: {state.get('result')}"]
    failed = state.get("failed_trial")
    if isinstance(failed, dict):
        lines.append(f"trial of {failed.get('slot')} ({failed.get('version') or '?'}) failed: {failed.get('reason')}")
    for check in state.get("checks", []):
        if not check.get("passed"):
            kind = "required" if check.get("required") else "wanted"
            lines.append(f"{kind} check {check.get('name')} failed: {_last_line(check.get('log', ''))}")
    return lines


def _last_line(text: str) -> str:
    """The check's own last word, before the `(exit N)` the health run appends."""
    lines = [line for line in str(text).splitlines() if line.strip()]
    said = [line for line in lines if not (line.startswith("(exit ") and line.endswith(")"))]
    return (said or lines or ["(no output)"])[-1]
