"""The SSH keys that log in without a password: `ssh.authorized_keys` (the admin user) and
`ssh.root_authorized_keys` (root, for operators who allow it), each the whole content of that
user's `~/.ssh/authorized_keys`. The home and ids come from the node's own /etc/passwd. The
file is mode 0600 and owned by the user, in a 0700 `~/.ssh`: sshd reads it as the user and
ignores keys in a file or folder others could change."""

from __future__ import annotations

from dataclasses import dataclass

from ovirt_node.core.root import Root
from ovirt_node.core.sshkeys import join_keys


@dataclass(frozen=True)
class Account:
    user: str
    uid: int
    gid: int
    home: str

    @property
    def keys_file(self) -> str:
        return f"{self.home.rstrip('/')}/.ssh/authorized_keys"


class NoSuchUser(LookupError):
    """The node has no such user (its /etc/passwd says so)."""


def account(root: Root, user: str) -> Account:
    try:
        lines = root("/etc/passwd").read_text(errors="replace").splitlines()
    except OSError as exc:
        raise NoSuchUser(f"cannot read /etc/passwd to find {user}'s home: {exc.strerror}") from None
    for line in lines:
        fields = line.split(":")
        if len(fields) >= 7 and fields[0] == user and fields[2].isdigit() and fields[3].isdigit():
            return Account(user, int(fields[2]), int(fields[3]), fields[5] or "/")
    raise NoSuchUser(f"the node has no user {user} (/etc/passwd)")


def read_keys(root: Root, user: str) -> str:
    """The keys in the user's authorized_keys as the setting holds them ("" when none)."""
    try:
        text = root(account(root, user).keys_file).read_text(errors="replace")
    except (OSError, NoSuchUser):
        return ""
    return join_keys([line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")])
