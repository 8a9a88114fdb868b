"""The console keymaps a node can load.

localed offers no list over D-Bus. On the node itself the list is `localectl list-keymaps`;
under a root prefix (installer target, tests, demo) it is read from the keymap files under
the root, from the same directories localectl searches. A keymap is a file `NAME.map` (or
compressed: `.map.gz`, ...) anywhere below those directories; its directory names the
layout family (qwerty, qwertz, azerty, dvorak, ...), shown next to the name.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass

from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner, run

log = logging.getLogger(__name__)

KEYMAP_DIRS = ("/usr/share/keymaps", "/usr/share/kbd/keymaps", "/usr/lib/kbd/keymaps")
_SUFFIXES = (".map", ".map.gz", ".map.bz2", ".map.xz", ".map.zst")
#: Directories that hold pieces other maps include, not keymaps of their own.
_NOT_KEYMAPS = frozenset({"include"})

#: A keymap name as localed accepts one: a file name, no path, no spaces.
NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.+@-]{0,63}"
_NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True)
class Keymap:
    name: str
    layout: str = ""  # the family directory (qwertz, ...); "" when unknown


def _strip_suffix(filename: str) -> str | None:
    for suffix in _SUFFIXES:
        if filename.endswith(suffix):
            return filename[: -len(suffix)]
    return None


def keymaps_on_disk(root: Root) -> list[Keymap]:
    """Every keymap file under the root's keymap directories, by name (first one found wins)."""
    found: dict[str, Keymap] = {}
    for directory in KEYMAP_DIRS:
        top = root(directory)
        if not top.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames[:] = sorted(d for d in dirnames if d not in _NOT_KEYMAPS)
            family = os.path.basename(dirpath) if os.path.realpath(dirpath) != os.path.realpath(top) else ""
            for filename in sorted(filenames):
                name = _strip_suffix(filename)
                if name and _NAME.fullmatch(name) and name not in found:
                    found[name] = Keymap(name, family)
    return sorted(found.values(), key=lambda k: k.name)


def list_keymaps(root: Root, localectl: str = "localectl", runner: Runner = run) -> list[Keymap]:
    """The keymaps of the node under `root`: localectl's list on the host, the files otherwise."""
    on_disk = keymaps_on_disk(root)
    if not root.is_host:
        return on_disk
    try:
        names = runner([localectl, "list-keymaps", "--no-pager"], timeout=30).stdout.split()
    except CommandError as exc:
        log.info("localectl list-keymaps failed (%s); listing the keymap files", exc)
        return on_disk
    family = {k.name: k.layout for k in on_disk}
    return [Keymap(n, family.get(n, "")) for n in names if _NAME.fullmatch(n)] or on_disk
