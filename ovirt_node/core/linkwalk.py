"""The fast read paths' guard against symbolic links under a root prefix.

`ovirt-node-config get`'s fast path (areas/quick.py) and the Status page's plain reads
(core/plaintext.py) read files without the engine's Root, which judges where a link leads
(inside the tree, or out of it: refused). On meeting a link they leave the path to the
engine instead. Only os and stat are imported: `get`'s fast path imports this.
"""

from __future__ import annotations

import os
import stat


def first_link(prefix: str, path: str) -> str | None:
    """The first of `prefix` + each leading part of the absolute node path `path` that is a
    symbolic link, or None (also when a part does not exist: nothing is past it)."""
    current = prefix.rstrip("/")
    for part in path.strip("/").split("/"):
        current = f"{current}/{part}"
        try:
            if stat.S_ISLNK(os.lstat(current).st_mode):
                return current
        except (FileNotFoundError, NotADirectoryError):
            return None
    return None
