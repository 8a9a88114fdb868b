"""Plain-text readers of the few file shapes the Status page's first screen reads: GLib
keyfiles (NetworkManager) and `KEY=value` files (/etc/default/ovirt, /etc/sysconfig/*).

The engine reads these files through Augeas, whose lenses cost the setup TUI's first screen
about a quarter of its memory and time. These readers take only the plain lines the engine
itself writes (and NetworkManager writes), each as the lens would read it; any other line,
a symbolic link under a root prefix, something other than a regular file, or text that is
not UTF-8 raises `Unsure`, and the caller takes the engine's path, which then reads (or
refuses) it in its own words. tests/integration/test_status_quick.py holds the results equal
to the engine's.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from ovirt_node.core.linkwalk import first_link
from ovirt_node.core.root import Root
from ovirt_node.core.shellword import unquote

DEFAULTS_PATH = "/etc/default/ovirt"
T = TypeVar("T")

#: A keyfile line: `[section]`, `key=value` (keys as NetworkManager writes them; the lens
#: takes two characters or more), a comment or a blank line.
_SECTION = re.compile(r"\[([A-Za-z0-9_.*-]+)\]")
_ENTRY = re.compile(r"([A-Za-z][A-Za-z0-9:._()-]+)=([^\x00-\x08\x0a-\x1f\x7f]*)")
#: A settings line the OvirtDefaults lens stores as KEY and one shell word: plain characters,
#: "double-quoted" text without \\, $ or backquotes, or 'single-quoted' text.
_VARIABLE = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)=((?:"[^"\\$`\n]*"|'[^'\n]*'|[A-Za-z0-9_./:,@+%=-]+)*)""")
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(#.*)?")


class Unsure(Exception):
    """Something these readers do not take: the engine's path must read it."""


def plain_path(root: Root, path: str) -> Path:
    """The real path of node path `path`; Unsure under a prefix when a symbolic link is on the
    way (the engine's Root judges where it leads)."""
    real = root(path)
    if not root.is_host and first_link(str(root.prefix), str(real.relative_to(root.prefix))) is not None:
        raise Unsure(f"{path}: a symbolic link on the way")
    return real


def read(root: Root, path: str) -> str | None:
    """The text of the node's file `path`, None when there is none; Unsure when it is not a
    plain regular file of UTF-8 lines (a lens reads a last line only with its newline)."""
    real = plain_path(root, path)
    try:
        mode = os.stat(real).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISREG(mode):
        raise Unsure(f"{path}: not a regular file")
    try:
        text = real.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise Unsure(f"{path}: not UTF-8") from None
    if text and not text.endswith("\n") or "\r" in text or "\0" in text:
        raise Unsure(f"{path}: not plain lines")
    return text


def keyfile(text: str) -> dict[str, dict[str, str | None]]:
    """A GLib keyfile's sections and keys; a key without a value is None (Augeas stores none)."""
    sections: dict[str, dict[str, str | None]] = {}
    current: dict[str, str | None] | None = None
    for line in text.splitlines():
        if _BLANK_OR_COMMENT.fullmatch(line):
            continue
        header = _SECTION.fullmatch(line)
        if header:
            if header.group(1) in sections:
                raise Unsure(f"section [{header.group(1)}] twice")
            current = sections[header.group(1)] = {}
            continue
        entry = _ENTRY.fullmatch(line)
        if entry is None or current is None or entry.group(1) in current:
            raise Unsure(line)
        current[entry.group(1)] = entry.group(2).strip(" \t") or None
    return sections


def shell_vars(text: str) -> dict[str, str | None]:
    """A settings file's variables, each as written (quotes included, as the lens stores it;
    None for `KEY=`)."""
    found: dict[str, str | None] = {}
    for line in text.splitlines():
        if _BLANK_OR_COMMENT.fullmatch(line):
            continue
        variable = _VARIABLE.fullmatch(line)
        if variable is None or variable.group(1) in found or variable.group(1) == "export":
            raise Unsure(line)
        found[variable.group(1)] = variable.group(2) or None
    return found


def defaults(root: Root) -> dict[str, str | None]:
    """/etc/default/ovirt's variables as written ({} when there is no such file)."""
    text = read(root, DEFAULTS_PATH)
    return {} if text is None else shell_vars(text)


def stored(variables: dict[str, str | None], name: str) -> str | None:
    """A variable's value as the engine's Defaults.items() has it ("" for `KEY=`), or None."""
    if name not in variables:
        return None
    raw = variables[name]
    return "" if raw is None else unquote(raw)


def sure(read: Callable[[Root], T], root: Root) -> T | None:
    """`read(root)`, or None when it is Unsure or anything else goes wrong: the engine's path
    answers then, in its own words."""
    try:
        return read(root)
    except Exception:  # noqa: BLE001 - Unsure, or anything odd
        return None


def settle(keys: Mapping[str, tuple[str, str]], system: Mapping[str, str | None],
           settings: dict[str, str | None]) -> dict[str, str]:
    """Each key's value as its section decides it: what the system file says, else the key's
    OVIRT_* name in /etc/default/ovirt (`settings`), else its built-in default (`keys`: key ->
    (OVIRT_* name, default))."""
    result: dict[str, str] = {}
    for key, (name, default) in keys.items():
        value, stored_value = system.get(key), stored(settings, name)
        result[key] = value if value is not None else stored_value if stored_value is not None else default
    return result
