"""Whether a typed password is an account's: crypt(3) of libcrypt on the hash /etc/shadow holds
(the installer's "keep the installed node's password" and the reset's check). A locked or
empty password never matches; the hash itself is never returned."""

from __future__ import annotations

import hmac

from ovirt_node.core.root import Root
from ovirt_node.system.accounts import password_state


def crypt(password: str, setting: str) -> str:
    """crypt(3) from libcrypt (Python's own crypt module is gone from 3.13 on)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("crypt") or "libcrypt.so.1"
    lib = ctypes.CDLL(name)
    lib.crypt.restype = ctypes.c_char_p
    lib.crypt.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    result = lib.crypt(password.encode(), setting.encode())
    return result.decode() if result else ""


def hash_matches(password: str, stored: str) -> bool:
    if not stored or stored.startswith(("!", "*")):
        return False
    return hmac.compare_digest(crypt(password, stored), stored)


def password_matches(root: Root, user: str, password: str) -> bool:
    """True when `password` is `user`'s in the root's /etc/shadow."""
    return hash_matches(password, password_state(root, user).hash)
