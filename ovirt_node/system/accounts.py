"""Local accounts under a root: who exists (/etc/passwd) and the state of a password
(/etc/shadow), read without ever handing a hash to a caller that only wants to show it.

Passwords themselves are set with the system's own tools (`chpasswd`, also `-e` for a
hash, and `chage`), never by writing these files here.
"""

from __future__ import annotations

import datetime
import hmac
import logging
from dataclasses import dataclass, field

from ovirt_node.core.root import Root

log = logging.getLogger(__name__)

#: The account the setup TUI belongs to (its login shell), as on 3.x.
ADMIN_USER = "admin"


def _fields(root: Root, path: str, user: str) -> list[str] | None:
    try:
        text = root(path).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        log.debug("accounts: cannot read %s: %s", path, exc.strerror)
        return None
    for line in text.splitlines():
        parts = line.split(":")
        if parts and parts[0] == user:
            return parts
    return None


def user_exists(root: Root, user: str) -> bool:
    return _fields(root, "/etc/passwd", user) is not None


@dataclass(frozen=True)
class PasswordState:
    """What /etc/shadow says about one account's password."""

    user: str
    exists: bool
    #: The crypt(3) hash, kept out of repr so that no log line or test failure shows it.
    hash: str = field(default="", repr=False)
    #: Days since 1970-01-01 of the last change; 0 means "must change at next login".
    last_change: int | None = None

    @property
    def locked(self) -> bool:
        """No usable password: empty, `!`/`*` alone, or a `!`-prefixed (locked) hash."""
        return not self.hash or self.hash.startswith("!") or self.hash == "*"

    @property
    def must_change(self) -> bool:
        return self.last_change == 0

    def summary(self) -> str:
        if not self.exists:
            return f"no user {self.user} on this node"
        if self.locked:
            return "no password set (password logins refused)"
        if self.must_change:
            return "password set; it must be changed at the next login"
        if self.last_change:
            day = datetime.date(1970, 1, 1) + datetime.timedelta(days=self.last_change)
            return f"password set (last changed {day.isoformat()})"
        return "password set"


def password_state(root: Root, user: str) -> PasswordState:
    if not user_exists(root, user):
        return PasswordState(user, exists=False)
    parts = _fields(root, "/etc/shadow", user)
    if parts is None or len(parts) < 2:
        return PasswordState(user, exists=True)
    last: int | None = None
    if len(parts) > 2 and parts[2].strip().isdigit():
        last = int(parts[2])
    return PasswordState(user, True, parts[1], last)


def crypt(password: str, setting: str) -> str:
    """crypt(3) from libcrypt (Python's own crypt module is gone from 3.13 on); `setting` is a
    salt such as `$6$salt$` or a whole stored hash (its method and salt are used)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    result = lib.crypt(password.encode(), setting.encode())
    return result.decode() if result else ""


def has_password(root: Root, user: str, candidate: str, hashed: bool = False) -> bool:
    """Whether `user` already has this password: a hash as stored, or a clear text that the
    stored hash's method and salt crypt to the stored hash. Nothing to compare (no user, no
    usable hash) is False: setting it is a change."""
    state = password_state(root, user)
    if state.locked:
        return False
    stored = state.hash.encode()  # bytes: compare_digest refuses str with non-ASCII characters
    return hmac.compare_digest((candidate if hashed else crypt(candidate, state.hash)).encode(), stored)
