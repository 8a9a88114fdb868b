"""The root prefix: every path the program touches is resolved through a Root.

The same code then runs against `/` on a node, against the target tree in the installer,
and against a copied directory tree in tests and `make demo`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


class RootEscapeError(ValueError):
    """A path that would resolve outside the root prefix."""


@dataclass(frozen=True)
class Root:
    """A directory that stands in for `/`."""

    prefix: Path = Path("/")

    @classmethod
    def at(cls, prefix: str | Path | None) -> Root:
        return cls(Path(prefix or "/").resolve())

    @property
    def is_host(self) -> bool:
        """True when this root is the real `/`, so runtime effects are real too."""
        return self.prefix == Path("/")

    def __call__(self, path: str | PurePosixPath) -> Path:
        """Map an absolute node path (`/etc/ssh/sshd_config`) to the real path under the prefix."""
        text = str(path)
        if not text.startswith("/"):
            raise RootEscapeError(f"not an absolute path: {text!r}")
        # normpath folds `..` so that `/../../x` cannot climb out of the prefix.
        clean = posixpath.normpath(text).lstrip("/")
        if clean.startswith(".."):
            raise RootEscapeError(f"path leaves the root: {text!r}")
        return self.prefix / clean if clean else self.prefix

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
