"""Which node paths may be persisted, the index of the `/config` store, and the errors of
persistence.

Pure functions on node paths (`/etc/ssh/sshd_config`): no file is touched here. The store
(`store.py`) and the `persist` command use them to refuse a path before anything is copied.
"""

from __future__ import annotations

import builtins
import logging
import os
import posixpath
from collections.abc import Iterable
from enum import StrEnum

log = logging.getLogger(__name__)

#: Where a node path may be persisted from; each prefix itself is refused as too broad.
ALLOWED_PREFIXES: tuple[str, ...] = (
    "/etc",
    "/var/lib",
    "/var/spool",
    "/root",
    "/home",
    "/usr/local",
    "/opt",
    "/srv",
)

#: Locations refused with a specific explanation rather than the generic one.
_REFUSED_WITH_REASON: tuple[tuple[str, str], ...] = (
    ("/var/log", "/var/log is kept on its own volume and is never persisted"),
    ("/boot", "/boot is managed by the installer and upgrades and cannot be persisted"),
)

INDEX_NAME = "files"

#: Files restored by copy and refreshed after a change, never bind-mounted (see above).
COPIED: frozenset[str] = frozenset({"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow",
                                    "/etc/vconsole.conf"})



class PersistResult(StrEnum):
    """What `Store.persist` / `Store.unpersist` did."""

    PERSISTED = "persisted"
    ALREADY = "already"
    UPDATED = "updated"
    UNPERSISTED = "unpersisted"
    NOT_PERSISTED = "not-persisted"


class PersistError(Exception):
    """Persisting, unpersisting or restoring a path failed; `str()` is `"<path>: <reason>"`."""

    def __init__(self, reason: str, path: str | None = None) -> None:
        self.reason = reason
        self.path = path
        super().__init__(f"{path}: {reason}" if path is not None else reason)


#: Longest path (with its NUL) and longest name in it, as Linux defines them.
PATH_MAX = 4096
NAME_MAX = 255


class PathRefused(PersistError):
    """The path is not acceptable input (relative, missing, outside the allowed locations...)."""


class RestoreError(PersistError):
    """Some index entries could not be restored; the others were."""

    def __init__(self, restored: builtins.list[str], failures: builtins.list[PersistError]) -> None:
        self.restored = restored
        self.failures = failures
        names = ", ".join(f.path or "?" for f in failures)
        super().__init__(f"{len(failures)} persisted path(s) could not be restored: {names}")




def is_under(path: str, prefix: str) -> bool:
    """True when normalised `path` is `prefix` or inside it."""
    if prefix == "/":
        return True
    return path == prefix or path.startswith(prefix + "/")


def normalize(path: str) -> str:
    """Fold `..`, `.`, repeated and trailing slashes of an absolute path; refuse anything else."""
    if not path.startswith("/"):
        raise PathRefused("not an absolute path", path)
    if any(c in path for c in "\n\r\0"):
        raise PathRefused("the path contains a newline or NUL character", path)
    # The kernel's limits: past them every system call fails with ENAMETOOLONG.
    raw = os.fsencode(path)
    if len(raw) >= PATH_MAX:
        raise PathRefused(f"the path is longer than the limit of {PATH_MAX - 1} bytes", f"{path[:40]}...")
    if any(len(part) > NAME_MAX for part in raw.split(b"/")):
        raise PathRefused(f"a name in the path is longer than the limit of {NAME_MAX} bytes", f"{path[:40]}...")
    clean = posixpath.normpath(path)
    # POSIX lets normpath keep a leading "//"; the node has no use for it.
    return "/" + clean.lstrip("/")


def check_path(path: str, config_dir: str = "/config") -> str:
    """Return the normalised `path` if it may be persisted, else raise `PathRefused`.

    Existence is not checked here (that needs the root); see `Store.persist`.
    """
    clean = normalize(path)
    config = normalize(config_dir)
    if clean == "/":
        raise PathRefused("refusing to persist the whole filesystem", path)
    if is_under(clean, config):
        raise PathRefused(f"{config} and the files under it cannot be persisted", path)
    if is_under(config, clean):
        raise PathRefused(f"it contains {config}, which cannot be persisted", path)
    for prefix, reason in _REFUSED_WITH_REASON:
        if is_under(clean, prefix):
            raise PathRefused(reason, path)
    for prefix in ALLOWED_PREFIXES:
        if clean == prefix:
            raise PathRefused(
                f"refusing to persist all of {prefix}; persist the files or directories under it instead",
                path,
            )
        if is_under(clean, prefix):
            return clean
    raise PathRefused(f"not under a location that can be persisted ({', '.join(ALLOWED_PREFIXES)})", path)


def parse_index(text: str) -> builtins.list[str]:
    """The entries of an index file: absolute paths, normalised, sorted, unique.

    Blank lines, `#` comments and lines that are not absolute paths are skipped.
    """
    entries: set[str] = set()
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("/"):
            log.warning("ignoring index line that is not an absolute path: %r", line)
            continue
        entries.add(normalize(line))
    return sorted(entries)


def format_index(entries: Iterable[str]) -> str:
    """The text of an index file holding `entries` (normalised, sorted, unique)."""
    clean = sorted({normalize(e) for e in entries})
    return "".join(f"{e}\n" for e in clean)


def covering_entry(entries: Iterable[str], path: str) -> str | None:
    """The index entry that is `path` or one of its ancestors (the shortest one), if any."""
    found = [e for e in entries if is_under(path, e)]
    return min(found, key=len) if found else None
