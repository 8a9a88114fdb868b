"""The root prefix: every path the program touches is resolved through a Root.

The same code then runs against `/` on a node, against the target tree in the installer,
and against a copied directory tree in tests and `make demo`.

Under a prefix, a symbolic link in the tree must not take a read or a write outside it
(`etc -> /etc`, `sshd_config -> ../../../../etc/shadow`): mapping a path checks where the
kernel would take it, and refuses a link that leads out. The check runs when the path is
mapped; a link swapped in between that and the open is not caught (the trees a prefix names,
an installer target or a copied node, belong to root).
"""

from __future__ import annotations

import errno
import functools
import os
import posixpath
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from ovirt_node.core.record import Record


class RootEscapeError(ValueError):
    """A path that would resolve outside the root prefix."""


class SymlinkEscapeError(RootEscapeError):
    """A symbolic link under the prefix whose target, as the kernel follows it, is outside."""

    def __init__(self, link: Path, target: str, prefix: Path) -> None:
        self.link = link
        super().__init__(f"{link} is a symbolic link to {target}, which leads outside the root {prefix}; "
                         "refusing to follow it (nothing was read or written through it)")


#: As the kernel's limit on links followed in one lookup.
MAX_SYMLINKS = 40


def _inside(path: str, prefix: Path) -> bool:
    return path == str(prefix) or path.startswith(str(prefix).rstrip("/") + "/")


_SLASH = Path("/")


@functools.cache
def _real_prefix(prefix: Path) -> Path:
    """Where a prefix really is, its links followed (Root.at resolves it; Root(...) may not):
    worked out once per prefix (every path mapped under it is checked against this; the
    prefix's own folders do not move under us)."""
    return Path(os.path.realpath(prefix))


class Root(Record):
    """A directory that stands in for `/`."""

    prefix: Path = Path("/")
    #: Top-level folders the tree borrows from elsewhere by a link, which may then lead out:
    #: the installer's target links its /sys to the live system's (the machine is the same).
    borrowed: frozenset[str] = frozenset()

    @classmethod
    def at(cls, prefix: str | Path | None, borrowed: Iterable[str] = ()) -> Root:
        return cls(Path(prefix or "/").resolve(), frozenset(borrowed))

    @property
    def is_host(self) -> bool:
        """True when this root is the real `/`, so runtime effects are real too."""
        return self.prefix == _SLASH

    def __call__(self, path: str | PurePosixPath, *, follow: bool = True) -> Path:
        """Map an absolute node path (`/etc/ssh/sshd_config`) to the real path under the prefix.

        Under a prefix, every symbolic link on the way must stay inside it, the last component
        too unless `follow` is False (for code that handles the link itself: enable links,
        backups, persist). Raises SymlinkEscapeError naming the first link that leads out."""
        text = str(path)
        if not text.startswith("/"):
            raise RootEscapeError(f"not an absolute path: {text!r}")
        # normpath folds `..` so that `/../../x` cannot climb out of the prefix.
        clean = posixpath.normpath(text).lstrip("/")
        if clean.startswith(".."):
            raise RootEscapeError(f"path leaves the root: {text!r}")
        real = self.prefix / clean if clean else self.prefix
        if not self.is_host and clean and clean.split("/", 1)[0] not in self.borrowed:
            self._confine(real if follow else real.parent)
        return real

    def resolve(self, path: str) -> Path:
        """The real path of node path `path`, its symbolic links followed as the node itself
        would follow them (an absolute target starts again at the prefix, `..` stops there):
        for reading what a link names, e.g. `/etc/resolv.conf -> /run/...`, under a prefix."""
        if self.is_host:
            return Path(path)
        pending = list(PurePosixPath(path).parts[1:])
        current = PurePosixPath("/")
        hops = 0
        while pending:
            part = pending.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                current = current.parent
                continue
            candidate = current / part
            real = self(str(candidate), follow=False)
            if not real.is_symlink():
                current = candidate
                continue
            hops += 1
            if hops > MAX_SYMLINKS:
                raise OSError(errno.ELOOP, "too many levels of symbolic links", str(real))
            target = PurePosixPath(os.readlink(real))
            if target.is_absolute():
                current = PurePosixPath("/")
                pending[:0] = target.parts[1:]
            else:
                pending[:0] = target.parts
        return self(str(current))

    def leads_inside(self, real: Path) -> bool:
        """Whether the kernel, following the links in real path `real`, stays in the prefix."""
        return self.is_host or _inside(os.path.realpath(real), _real_prefix(self.prefix))

    def _confine(self, real: Path) -> None:
        """Refuse `real` when the kernel, following its links, would land outside the prefix."""
        if self.leads_inside(real):
            return
        current = self.prefix
        for part in real.relative_to(self.prefix).parts:
            current = current / part
            if current.is_symlink() and not _inside(os.path.realpath(current), _real_prefix(self.prefix)):
                raise SymlinkEscapeError(current, os.readlink(current), self.prefix)
        raise SymlinkEscapeError(real, os.path.realpath(real), self.prefix)  # not reached: a link was found

    def __str__(self) -> str:
        return str(self.prefix)


HOST = Root()


class NotARegularFile(RuntimeError):
    """A FIFO, device or directory stands where the plan writes a config file."""

    def __init__(self, path: str, kind: str) -> None:
        self.path = path
        super().__init__(f"{path} is {kind}, not a regular file; nothing was changed")


def not_regular(path: Path) -> str | None:
    """What stands at `path` when it is neither absent nor a regular file (through symlinks):
    'a directory', 'a FIFO', ... A config file read or written there would hang (a FIFO) or
    fail half way (a directory), so callers refuse it before anything is written."""
    import stat

    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")
