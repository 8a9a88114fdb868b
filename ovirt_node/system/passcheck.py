"""Whether a typed password is an account's: crypt(3) of libcrypt on the hash /etc/shadow holds
(the installer's "keep the installed node's password" and the reset's check). A locked or
empty password never matches; the hash itself is never returned."""

from __future__ import annotations

import hmac

from ovirt_node.core.root import Root
from ovirt_node.system.accounts import crypt, password_state


def hash_matches(password: str, stored: str) -> bool:
    if not stored or stored.startswith(("!", "*")):
        return False
    return hmac.compare_digest(crypt(password, stored), stored)


def password_matches(root: Root, user: str, password: str) -> bool:
    """True when `password` is `user`'s in the root's /etc/shadow."""
    return hash_matches(password, password_state(root, user).hash)
