"""The journal's record of every change `ovirt-node-config` makes: one line per run of set,
apply, set-password or cmdline, with the keys and their values (secret ones, and names the
node does not know, which may be a mistyped secret, masked), who asked and the result.

    ovirt-node-config set by admin (sudo; login uid 1000): ssh.port=2222 -> applied

Sent with SYSLOG_IDENTIFIER=ovirt-node-config and the fields OVIRT_NODE_KEYS, OVIRT_NODE_USER
and OVIRT_NODE_RESULT (`journalctl -t ovirt-node-config`); without python-systemd or journald
nothing is recorded and nothing is said. A dry run changes nothing and is not recorded; nor
is a run whose own command line holds a secret (journald keeps each sender's command line).
"""

from __future__ import annotations

import json
import logging
import os
import pwd
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.core.root import Root
from ovirt_node.system import systemd_journal

IDENTIFIER = "ovirt-node-config"
MASK = "********"
LOGINUID = Path("/proc/self/loginuid")
#: The kernel's "no login uid" (a boot service, a container without audit).
NO_LOGIN_UID = 4294967295
_PLAIN = re.compile(r"[\w.,:/@+\-\[\]]*")

log = logging.getLogger("ovirt_node.audit")


def _user(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def who(env: Mapping[str, str], loginuid: Path = LOGINUID, euid: int | None = None) -> str:
    """Who asked: sudo's SUDO_USER, and the login uid the kernel keeps across sudo and su."""
    try:
        login: int | None = int(loginuid.read_text().strip())
    except (OSError, ValueError):
        login = None
    session = "no login session" if login in (None, NO_LOGIN_UID) else f"login uid {login}"
    sudo = env.get("SUDO_USER")
    if sudo:
        return f"{sudo} (sudo; {session})"
    if login not in (None, NO_LOGIN_UID):
        assert login is not None
        return f"{_user(login)} ({session})"
    return f"{_user(os.geteuid() if euid is None else euid)} ({session})"


def shown(changes: Mapping[str, str], is_secret: Callable[[str], bool]) -> str:
    """`key=value ...` on one line: secrets masked, odd values JSON-quoted (a newline stays \\n)."""
    parts = []
    for key, value in changes.items():
        if is_secret(key):
            value = MASK
        elif not _PLAIN.fullmatch(value):
            value = json.dumps(value)
        parts.append(f"{key}={value}")
    return " ".join(parts)


@dataclass
class Change:
    """One run's record, filled in as the run goes."""

    command: str
    by: str
    root: Root = field(default_factory=Root)
    changes: Mapping[str, str] = field(default_factory=dict)
    result: str = "not finished"
    #: A secret was given as an argument of this process (`cmdline adminpw=...`): send nothing.
    secret_on_command_line: bool = False

    @property
    def outcome(self) -> str:
        """The result's first words: applied, nothing to change, invalid, failed, not run, ..."""
        return re.split(r"[,:(]", self.result, maxsplit=1)[0].strip()

    def line(self, is_secret: Callable[[str], bool]) -> str:
        where = "" if self.root.is_host else f" under {self.root}"
        keys = shown(self.changes, is_secret) or "(no settings)"
        return f"{IDENTIFIER} {self.command}{where} by {self.by}: {keys} -> {self.result}"


def carries_secret(change: Change, is_secret: Callable[[str], bool], argv: Sequence[str]) -> bool:
    """Whether this process's own command line holds a value the record masks (`set` refuses a
    secret given there, `cmdline adminpw=...`): journald stores every sender's command line
    (_CMDLINE) with its entries, so such a run must send nothing."""
    masked = [v for k, v in change.changes.items() if v and is_secret(k)]
    return change.secret_on_command_line or any(value in arg for value in masked for arg in argv)


def emit(change: Change, is_secret: Callable[[str], bool], argv: Sequence[str] = ()) -> bool:
    """Send the record to the journal; False when there is none (nothing said: a build host,
    a container) or when `argv`, this process's command line, carries a masked value. The
    record never reaches the terminal (propagate off)."""
    if carries_secret(change, is_secret, argv):
        return False
    made = systemd_journal.handler(IDENTIFIER)
    if made is None:
        return False
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(made)
    try:
        log.info(change.line(is_secret), extra={
            "OVIRT_NODE_KEYS": " ".join(change.changes), "OVIRT_NODE_USER": change.by,
            "OVIRT_NODE_RESULT": change.outcome})
    finally:
        log.removeHandler(made)
        made.close()
    return True
