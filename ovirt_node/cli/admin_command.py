"""`ssh admin@node COMMAND`: what the admin's login shell runs for a command (sshd runs the
shell as `SHELL -c COMMAND`). The node's own tools only, as root through sudo, whose rule for
admin names exactly these programs (etc/sudoers.d/ovirt-node-admin):

    ovirt-node-config, persist, unpersist, ovirt-node-upgrade

`--root` and `--bus` are refused: over SSH the tools act on this node, never on a tree the
caller picks (they would write as root wherever it points). Anything else is refused with the
list, exit 126 ("cannot run"), and nothing runs. The words are split as a POSIX shell would
(quotes kept), but nothing is expanded: no globs, variables or command substitution.
"""

from __future__ import annotations

import logging
import os
import shlex
import sys
from collections.abc import Sequence

BIN = "/usr/local/bin"
ALLOWED = ("ovirt-node-config", "persist", "unpersist", "ovirt-node-upgrade")
REFUSED_OPTIONS = ("--root", "--bus")
CANNOT_RUN = 126

log = logging.getLogger(__name__)


class RefusedCommand(ValueError):
    """Not a command admin may run over SSH; the message says what may run."""


def sudo_argv(command: str) -> list[str]:
    try:
        words = shlex.split(command)
    except ValueError as exc:
        raise RefusedCommand(f"cannot read the command ({exc})") from None
    if not words:
        raise RefusedCommand("no command given")
    name = words[0].rsplit("/", 1)[-1]
    if name not in ALLOWED or words[0] not in (name, f"{BIN}/{name}"):
        raise RefusedCommand(f"{words[0]!r} is not one of the commands admin runs over SSH: {', '.join(ALLOWED)}")
    for word in words[1:]:
        if any(word == option or word.startswith(option + "=") for option in REFUSED_OPTIONS):
            raise RefusedCommand(f"{word.split('=')[0]} is not allowed over SSH: the tools act on this node")
    return ["sudo", "-n", f"{BIN}/{name}", *words[1:]]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:
        from ovirt_node import __version__

        print(f"ovirt-node-admin-command {__version__}")
        return 0
    if len(args) != 1:
        print("usage: ovirt-node-admin-command 'COMMAND [ARGS...]'", file=sys.stderr)
        return 2
    try:
        command = sudo_argv(args[0])
    except RefusedCommand as exc:
        print(f"ovirt-admin-shell: {exc}", file=sys.stderr)
        return CANNOT_RUN
    log.info("run: %s", " ".join(command))
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main())
