"""Console keymap names systemd-localed accepts, for Debian's keymaps.

Debian's console-data names its keymaps `NAME.kmap.gz`; localed (and `localectl
list-keymaps`) only know files named `NAME.map` or `NAME.map.gz`, so on a plain Debian root
SetVConsoleKeyboard refuses every keymap. Each `.kmap` file gets a hard link with the name
localed looks for: a link costs no space in the squashfs, and a regular file (unlike a
symlink) is what localed's directory walk counts. loadkeys finds either name.
"""

from __future__ import annotations

import os
from pathlib import Path

from ovirt_node.system.keymaps import KEYMAP_DIRS

_RENAMES = ((".kmap.gz", ".map.gz"), (".kmap", ".map"))


def _map_name(filename: str) -> str | None:
    for old, new in _RENAMES:
        if filename.endswith(old):
            return filename[: -len(old)] + new
    return None


def link_map_names(root: Path) -> int:
    """Give every `.kmap[.gz]` under the root's keymap directories its `.map[.gz]` name; how
    many links were made (a name already present is left alone)."""
    made = 0
    for directory in KEYMAP_DIRS:
        for dirpath, _dirnames, filenames in os.walk(root / directory.lstrip("/")):
            for filename in filenames:
                name = _map_name(filename)
                if name and not (Path(dirpath) / name).exists():
                    os.link(Path(dirpath) / filename, Path(dirpath) / name)
                    made += 1
    return made
