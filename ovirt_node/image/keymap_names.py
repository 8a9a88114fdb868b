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

KEYMAP_DIR = "usr/share/keymaps"
_RENAMES = ((".kmap.gz", ".map.gz"), (".kmap", ".map"))


def link_map_names(root: Path) -> int:
    """Give every `.kmap[.gz]` under the root's keymap directory its `.map[.gz]` name; how
    many links were made (a name already present is left alone)."""
    made = 0
    top = root / KEYMAP_DIR
    for dirpath, _dirnames, filenames in os.walk(top):
        for filename in filenames:
            for old, new in _RENAMES:
                if filename.endswith(old):
                    target = Path(dirpath) / (filename[: -len(old)] + new)
                    if not target.exists():
                        os.link(Path(dirpath) / filename, target)
                        made += 1
                    break
    return made
