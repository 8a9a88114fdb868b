"""SSH public keys as `authorized_keys` holds them, one rule for every way in (setting, page,
kernel argument): "TYPE BASE64 [comment]", several separated by commas.

A key is checked the way sshd will read it: a known type, base64 that decodes, and a blob
that names the same type in its first field (a key pasted with its type swapped, or cut
short, is refused here instead of silently never matching). Options before the type
(`from=`, `command=`) are not taken: they belong in a file an operator writes by hand.
"""

from __future__ import annotations

import base64
import binascii
import struct

from ovirt_node.core.valid import Validator

TYPES = (
    "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
)
MAX_KEYS = 32
MAX_BYTES = 16384


def split_keys(value: str) -> list[str]:
    """The keys of a setting's value (commas between them, blanks around them ignored)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def join_keys(keys: list[str]) -> str:
    return ", ".join(keys)


def key_problem(line: str) -> str | None:
    """Why `line` is not a public key sshd would take, or None."""
    fields = line.split(None, 2)
    if len(fields) < 2:
        return "must be TYPE BASE64 [comment] (e.g. ssh-ed25519 AAAAC3Nza... admin@laptop)"
    kind, body = fields[0], fields[1]
    if kind not in TYPES:
        return f"has the unknown key type {kind[:40]!r} (one of {', '.join(TYPES)})"
    if len(fields) == 3 and not fields[2].isprintable():
        return "has a comment with control characters"
    try:
        blob = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return "is not base64 after its type (cut short or mistyped?)"
    if len(blob) < 4:
        return "holds no key after its type"
    (length,) = struct.unpack_from(">I", blob)
    if blob[4:4 + length] != kind.encode():
        return f"says {kind} but its key data is of another type (or cut short)"
    return None


class SSHPublicKeys(Validator):
    """Empty, or public keys separated by commas."""

    description = "SSH public keys (TYPE BASE64 [comment]), separated by commas"

    def check(self, value: str) -> str | None:
        if len(value.encode()) > MAX_BYTES:
            return f"must be at most {MAX_BYTES} bytes"
        if "\n" in value or "\r" in value:
            return "must be on one line (separate keys with commas)"
        keys = split_keys(value)
        if len(keys) > MAX_KEYS:
            return f"must be at most {MAX_KEYS} keys"
        for number, key in enumerate(keys, 1):
            problem = key_problem(key)
            if problem:
                return f"key {number} {problem}" if len(keys) > 1 else f"key {problem}"
        return None
