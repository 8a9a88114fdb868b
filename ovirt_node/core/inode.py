"""What belongs to a file's inode and a write by rename would drop: its extended attributes
(SELinux labels in `security.*`, `user.*`, ...) and its other hard links.

Augeas and `write_file_atomic` write a new file and rename it over the old one. Before such a
write, `remember()` notes the old file's attributes and, when it has other names, keeps it
open; `carry_over()` then gives the new file the attributes, or, for a hard-linked file, puts
the new content into the old inode and links that back under the name, so every name sees
the change (in place, not atomic: the transaction's backup and journal cover a crash).
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.runstate import TEMP_PREFIX

log = logging.getLogger(__name__)


@dataclass
class Kept:
    """A file as it was before a write by rename."""

    path: Path
    inode: tuple[int, int]
    xattrs: dict[str, bytes]
    #: Open on the old inode when it has other hard links; None otherwise.
    fd: int | None = None

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def read_xattrs(path: Path) -> dict[str, bytes]:
    """Every extended attribute of `path` this process can read (none where unsupported)."""
    try:
        names = os.listxattr(path)
    except OSError as exc:  # unsupported here, gone, or not ours to read: nothing to carry
        log.debug("xattrs of %s: %s", path, exc.strerror)
        return {}
    found = {}
    for name in names:
        try:
            found[name] = os.getxattr(path, name)
        except OSError as exc:  # gone meanwhile, or a namespace we may not read
            log.debug("xattr %s of %s: %s", name, path, exc.strerror)
    return found


def remember(path: Path) -> Kept | None:
    """Note `path`'s attributes (and hold it open when hard-linked); None when it is not a
    regular file."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    kept = Kept(path, (st.st_dev, st.st_ino), read_xattrs(path))
    if st.st_nlink > 1:
        try:
            kept.fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        except OSError as exc:  # read-only here: a save of it fails on its own, and says why
            log.debug("cannot hold %s open: %s", path, exc.strerror)
    return kept


def copy_xattrs(xattrs: dict[str, bytes], path: Path | str) -> None:
    """Set each attribute on `path`; one that cannot be set (a policy refuses the label) is
    said in the log, and the write goes on: its content is what was asked for."""
    for name, value in xattrs.items():
        try:
            os.setxattr(path, name, value)
        except OSError as exc:
            log.warning("could not keep the extended attribute %s of %s: %s", name, path, exc.strerror)


def carry_over(kept: Kept) -> None:
    """After a write by rename: the new file gets the old one's attributes, or (hard links)
    the old inode gets the new content and the name back. Closes what `remember` opened."""
    try:
        try:
            st = os.stat(kept.path)
        except FileNotFoundError:
            return
        if (st.st_dev, st.st_ino) == kept.inode:
            return  # written in place: the inode kept everything
        if kept.fd is None:
            copy_xattrs(kept.xattrs, kept.path)
            return
        _relink(kept, kept.fd)
    finally:
        kept.close()


def _relink(kept: Kept, fd: int) -> None:
    """The old inode back under the name, then the new file's bytes into it. In this order a
    run killed half way leaves every name on the old inode: the journal's rollback, which
    writes in place, then restores all of them at once."""
    data = kept.path.read_bytes()
    # Named as our temp files are: a run killed here leaves a name the next run removes.
    tmp = kept.path.with_name(f"{TEMP_PREFIX}{kept.path.name}.{os.urandom(4).hex()}")
    # linkat(AT_SYMLINK_FOLLOW) gives the open inode a name; Python calls linkat (not link,
    # which would try to link /proc's own symlink) only when given a directory fd.
    folder = os.open(tmp.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.link(f"/proc/self/fd/{fd}", tmp.name, dst_dir_fd=folder, follow_symlinks=True)
    finally:
        os.close(folder)
    try:
        os.replace(tmp, kept.path)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    os.fsync(fd)
