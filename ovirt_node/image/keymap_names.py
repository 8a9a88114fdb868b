"""Console keymap names systemd-localed accepts, for Debian's keymaps.

Debian's console-data names its keymaps `NAME.kmap.gz`; localed (and `localectl
list-keymaps`) only know files named `NAME.map` or `NAME.map.gz`, so on a plain Debian root
SetVConsoleKeyboard refuses every keymap. Each `.kmap` file gets a hard link with the name
localed looks for: a link costs no space in the squashfs, and a regular file (unlike a
symlink) is what localed's directory walk counts. loadkeys finds either name.

Some of console-data's keymaps do not load with Debian's own loadkeys (the mac-* maps include
files the package lacks, ar and fa hold keysyms kbd rejects, ro-comma and dvorak-fr-bepo-utf8
ask for charsets it does not know). The Keyboard page would offer them and the console would
refuse them, so the build removes them: the node lists only keymaps it can load.
"""

from __future__ import annotations

import os
from pathlib import Path

from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.system.keymaps import KEYMAP_DIRS, keymaps_on_disk

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


def drop_unloadable(root: Path, runner: Runner) -> list[str]:
    """Remove the keymaps the root's own loadkeys cannot compile; the names removed.
    `--mktable` parses the whole map, includes and charsets, without a console; `--unicode`
    reads keysyms as the node's UTF-8 console does (without it, maps such as ua-utf only warn
    on a console but fail here)."""
    dropped = [k.name for k in keymaps_on_disk(Root.at(root))
               if not runner(["chroot", str(root), "loadkeys", "--unicode", "--mktable", k.name], check=False).ok]
    names = set(dropped)
    for directory in KEYMAP_DIRS:
        for dirpath, _dirnames, filenames in os.walk(root / directory.lstrip("/")):
            for filename in filenames:
                if _keymap_name(filename) in names:
                    (Path(dirpath) / filename).unlink()
    return dropped


#: A keymap file's suffixes under either name (`.kmap.gz` before `.map.gz`, which it ends with).
_KEYMAP_SUFFIXES = (".kmap.gz", ".kmap", ".map.gz", ".map")


def _keymap_name(filename: str) -> str | None:
    suffix = next((s for s in _KEYMAP_SUFFIXES if filename.endswith(s)), None)
    return filename[: -len(suffix)] if suffix else None
