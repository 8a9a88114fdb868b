"""What the campaign compares: a node tree byte for byte with the inode metadata that matters
(mode, owner, xattrs, hard links), a cheap stat view to see that nothing was written at all, and
what a finished run must not leave behind."""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from ovirt_node.core.journal import JOURNAL_DIR
from ovirt_node.core.runstate import LOCK_PATH, TEMP_PREFIX

Tree = dict[str, tuple[object, ...]]
#: Augeas saves through `<name>.XXXXXX` beside the file (six random letters and digits).
AUGEAS_TEMP = re.compile(r"\.[A-Za-z0-9]{6}$")


def _walk(root: Path) -> list[tuple[str, Path]]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel == Path("."):  # /run is tmpfs state (the lock's folder): leftovers() checks it
            dirnames[:] = [d for d in dirnames if d != "run"]
        for name in dirnames + filenames:
            found.append(("/" + str(rel / name).lstrip("./"), Path(dirpath) / name))
    return found


def stat_view(root: Path) -> Tree:
    """Every path's inode, size, mtime and mode: any write, rename or new file shows."""
    view: Tree = {}
    for rel, path in _walk(root):
        st = path.lstat()
        view[rel] = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_mode, st.st_nlink)
    return view


def _xattrs(path: Path) -> tuple[tuple[str, bytes], ...]:
    try:
        return tuple(sorted((n, os.getxattr(path, n, follow_symlinks=False))
                            for n in os.listxattr(path, follow_symlinks=False)))
    except OSError:
        return ()


#: (path, inode, size, mtime) -> content hash: a file not written since is not read again.
_HASHES: dict[tuple[str, int, int, int], str] = {}


def _hash_file(path: Path, st: os.stat_result) -> str:
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        if len(_HASHES) > 200_000:
            _HASHES.clear()
        _HASHES[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return _HASHES[key]


def forget_hashes() -> None:
    _HASHES.clear()


def content_view(root: Path) -> Tree:
    """Every path's content hash, mode, owner, xattrs and link count (a rewrite by rename loses
    the xattrs and splits a hard link: both show here)."""
    view: Tree = {}
    for rel, path in _walk(root):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            data = os.readlink(path).encode()
        elif stat.S_ISREG(st.st_mode):
            data = b""
            view[rel] = (_hash_file(path, st), st.st_mode, st.st_uid, st.st_gid, _xattrs(path), st.st_nlink)
            continue
        else:
            data = b"dir" if stat.S_ISDIR(st.st_mode) else f"special {stat.S_IFMT(st.st_mode)}".encode()
        view[rel] = (hashlib.sha256(data).hexdigest(), st.st_mode, st.st_uid, st.st_gid, _xattrs(path),
                     st.st_nlink if stat.S_ISREG(st.st_mode) else 0)
    return view


def diff(before: Tree, after: Tree) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def leftovers(root: Path) -> list[str]:
    """A finished run's debris: its journal, the lock file, our temp files, Augeas's."""
    found = [p for p in (JOURNAL_DIR, LOCK_PATH) if os.path.lexists(root / p.lstrip("/"))]
    for rel, path in _walk(root):
        if path.name.startswith(TEMP_PREFIX) or path.name.endswith((".augnew", ".augsave")):
            found.append(rel)
        elif AUGEAS_TEMP.search(path.name) and path.with_name(path.name[:-7]).is_file():
            found.append(rel)
    return found
