"""Run the node's own tools (ovirt-node-config, persist, unpersist) through the task's connection.

The collection's tasks run on the control host (action plugins) and send one command line to the
node: the node needs no Python for Ansible, and the command reaches the node the same way a
person's `ssh admin@node ovirt-node-config ...` does. Over SSH as `admin`, the login shell
(ovirt-admin-shell) checks the command and runs it through `sudo -n`; as root it runs as it is;
with `connection: local` as another user the plugin adds `sudo -n` itself; any other login uses
`become: true`.
"""

from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass
from typing import Any

#: What argparse says when the node's ovirt-node-config predates an option (e.g. --check).
UNKNOWN_OPTION = "unrecognized arguments"
EXIT_INVALID = 2

#: The options every task takes (the argument spec of each plugin adds its own).
COMMON_SPEC: dict[str, dict[str, Any]] = {
    "root": {"type": "path"},
    "binary": {"type": "str"},
    "sudo": {"type": "bool"},
}


@dataclass
class Outcome:
    rc: int
    stdout: str
    stderr: str

    def message(self) -> str:
        """The tool's own words: the last lines of stderr (argparse's usage block left out)."""
        lines = [line for line in self.stderr.splitlines() if line.strip() and not line.startswith((" ", "usage:"))]
        return "\n".join(lines[-10:]) or f"exit status {self.rc}"


class NodeTool:
    """One of the node's programs, run with the task's connection, root and sudo choice."""

    def __init__(self, action: Any, args: dict[str, Any], default_binary: str) -> None:
        self.action = action
        self.binary = args.get("binary") or default_binary
        self.root = args.get("root")
        self.sudo = self._wants_sudo(args.get("sudo"))

    def _wants_sudo(self, asked: bool | None) -> bool:
        if asked is not None:
            return asked
        if self.action._play_context.become:  # become already runs it as root
            return False
        # Over SSH the admin login shell adds sudo (and would refuse a `sudo` word); as root no sudo is needed.
        return self.action._connection.transport == "local" and os.geteuid() != 0

    def argv(self, *args: str, binary: str | None = None) -> list[str]:
        words = ["sudo", "-n"] if self.sudo else []
        words.append(binary or self.binary)
        if self.root:
            words += ["--root", self.root]
        return words + list(args)

    def run(self, *args: str, stdin: str | None = None, binary: str | None = None) -> Outcome:
        # executable=False: the words go to the node's login shell as they are (`SHELL -c LINE`), not wrapped
        # in `/bin/sh -c`, which the admin shell would refuse.
        # sudoable only under become: Ansible's ssh connection gives a sudoable command without stdin a
        # terminal (-tt), which would mix the tool's stderr into the JSON on stdout.
        res = self.action._low_level_execute_command(
            shlex.join(self.argv(*args, binary=binary)),
            sudoable=bool(self.action._play_context.become),
            in_data=stdin.encode() if stdin is not None else None,
            executable=False,
        )
        return Outcome(int(res.get("rc", 1)), res.get("stdout", ""), res.get("stderr", ""))


def parse_json(outcome: Outcome) -> dict[str, Any] | None:
    """The JSON object a `--json` run printed, or None (the tool failed before it could print one)."""
    text = outcome.stdout.strip()
    start = text.find("{")
    if start < 0:
        return None
    try:
        data = json.loads(text[start:])
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def ansible_diff(diff: dict[str, str]) -> list[dict[str, str]]:
    """The CLI's {path: unified diff} as Ansible shows diffs (`--diff`): one prepared diff per file."""
    return [{"before_header": path, "after_header": path, "prepared": text} for path, text in sorted(diff.items())]
