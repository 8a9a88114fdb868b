"""mount(2), umount2(2), syncfs(2) and renameat2(2) through libc (ctypes), and the mount table.

Persisting bind-mounts the stored copy over the live path; these are the system calls it needs,
made on real paths (a prefix included), with no `mount` program in between.
"""

from __future__ import annotations

import builtins
import ctypes
import ctypes.util
import errno
import logging
import os
from pathlib import Path

from ovirt_node.persist.paths import PersistError

log = logging.getLogger(__name__)

MS_BIND = 4096
MNT_DETACH = 2
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2




def _load_libc() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    lib.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_void_p]
    lib.mount.restype = ctypes.c_int
    lib.umount2.argtypes = [ctypes.c_char_p, ctypes.c_int]
    lib.umount2.restype = ctypes.c_int
    lib.syncfs.argtypes = [ctypes.c_int]
    lib.syncfs.restype = ctypes.c_int
    return lib


_libc: ctypes.CDLL | None = None


def _lib() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = _load_libc()
    return _libc


def bind_mount(source: Path, target: Path) -> None:
    """mount(2) `source` on `target` with MS_BIND."""
    rc = int(_lib().mount(os.fsencode(source), os.fsencode(target), None, MS_BIND, None))
    if rc != 0:
        err = ctypes.get_errno()
        raise PersistError(f"bind mount of {source} on {target} failed: {os.strerror(err)}")
    log.info("bind-mounted %s on %s", source, target)


def unmount(target: Path) -> None:
    """umount2(2) `target`; a busy mount is detached lazily (with a warning)."""
    rc = int(_lib().umount2(os.fsencode(target), 0))
    if rc != 0:
        err = ctypes.get_errno()
        if err == errno.EBUSY:
            log.warning("%s is busy; detaching it lazily", target)
            rc = int(_lib().umount2(os.fsencode(target), MNT_DETACH))
            err = ctypes.get_errno() if rc != 0 else 0
        if rc != 0:
            raise PersistError(f"unmounting {target} failed: {os.strerror(err)}")
    log.info("unmounted %s", target)


def syncfs(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        if int(_lib().syncfs(fd)) != 0:
            log.warning("syncfs(%s) failed: %s", path, os.strerror(ctypes.get_errno()))
    finally:
        os.close(fd)


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False if unsupported."""
    func = getattr(_lib(), "renameat2", None)
    if func is None:
        return False
    rc = int(func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), ctypes.c_uint(_RENAME_EXCHANGE)))
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _unescape_mountinfo(field: bytes) -> str:
    out = bytearray()
    i = 0
    while i < len(field):
        chunk = field[i : i + 4]
        if len(chunk) == 4 and chunk[0:1] == b"\\" and all(48 <= c <= 55 for c in chunk[1:]):
            out.append(int(chunk[1:], 8))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return os.fsdecode(bytes(out))


def mount_points(mountinfo: str = "/proc/self/mountinfo") -> builtins.list[str]:
    """Every mount point of this mount namespace, in mount order (duplicates kept)."""
    with open(mountinfo, "rb") as fh:
        return [_unescape_mountinfo(line.split(b" ")[4]) for line in fh if line.strip()]
