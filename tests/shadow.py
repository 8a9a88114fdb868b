"""Checks on passwords in a node tree: the shadow entry, whether a hash verifies (openssl's own
SHA-512 crypt, the password on stdin), and which files hold a given secret."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def shadow_fields(root: Path, user: str = "admin") -> list[str]:
    for line in (root / "etc/shadow").read_text().splitlines():
        if line.split(":", 1)[0] == user:
            return line.split(":")
    raise AssertionError(f"no {user} in shadow")


def crypt_sha512(password: str, salt: str) -> str:
    out = subprocess.run(["openssl", "passwd", "-6", "-salt", salt, "-stdin"], input=password,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def verifies(password: str, hashed: str) -> bool:
    assert hashed.startswith("$6$"), hashed  # under a root prefix chpasswd is told SHA512
    return crypt_sha512(password, hashed.split("$")[2]) == hashed


def files_containing(root: Path, needle: str) -> list[str]:
    """Every file under `root` whose bytes contain `needle` (paths relative to the root)."""
    data = needle.encode()
    found = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            path = Path(dirpath) / name
            if path.is_file() and data in path.read_bytes():
                found.append(str(path.relative_to(root)))
    return found
