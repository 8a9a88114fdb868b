"""The defaults store: `/etc/default/ovirt`, the node's one source of truth.

Shell `KEY="value"` lines read and written through Augeas (our OvirtDefaults lens, which is
Shellvars plus verbatim keeping of lines Shellvars cannot parse). Values are written in
double quotes with `\\`, `"`, `$` and backquote escaped, so a value with spaces or quotes
survives a round trip and a shell that sources the file gets the same string back.
Unknown keys, comments and unparsable lines are left untouched.
"""

from __future__ import annotations

import re

from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.core.plaintext import DEFAULTS_PATH as DEFAULTS_PATH  # one name for the file

# unquote lives apart so that `get`'s fast path reads a value by the same rule without this module.
from ovirt_node.core.shellword import unquote as unquote

DEFAULTS_FILE = LensFile("OvirtDefaults", DEFAULTS_PATH)

_KEY_RE = r"^[A-Za-z_][A-Za-z0-9_]*$"
_SHELL_SPECIAL = r'(["\\$`])'


class DefaultsError(ValueError):
    """A key or value that cannot be stored in a shell variables file."""


def quote(value: str) -> str:
    """A double-quoted shell word that evaluates back to `value`."""
    if "\n" in value or "\0" in value or "\r" in value:
        raise DefaultsError("a value must not contain a newline, carriage return or NUL")
    return '"' + re.sub(_SHELL_SPECIAL, r"\\\1", value) + '"'


def check_key(key: str) -> None:
    if not re.match(_KEY_RE, key):
        raise DefaultsError(f"{key!r} is not a valid shell variable name")


class Defaults:
    """Get, set and remove keys of `/etc/default/ovirt` on an Augeas handle.

    Changes stay in the handle's tree until `save()`, so a transaction step can set many
    keys and write the file once.
    """

    def __init__(self, aug: Augeas) -> None:
        self.aug = aug
        self.node = files_node(DEFAULTS_PATH)

    def get(self, key: str) -> str | None:
        check_key(key)
        raw = self.aug.get(f"{self.node}/{key}")
        return None if raw is None else unquote(raw)

    def items(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for path in self.aug.match(f"{self.node}/*"):
            label = path.rsplit("/", 1)[1]
            if label.startswith("#"):
                continue
            raw = self.aug.get(path)
            values[label] = "" if raw is None else unquote(raw)
        return values

    def set(self, key: str, value: str | None) -> bool:
        """Set or (with None) remove a key; returns whether the tree changed."""
        check_key(key)
        if value is None:
            return self.remove(key)
        if self.get(key) == value:
            return False
        return self.aug.set(f"{self.node}/{key}", quote(value))

    def remove(self, key: str) -> bool:
        check_key(key)
        return self.aug.remove(f"{self.node}/{key}") > 0

    def unparsed_lines(self) -> list[str]:
        """Lines the lens kept verbatim because they are not shell assignments."""
        return [self.aug.get(p) or "" for p in self.aug.match(f"{self.node}/#unparsed")]

    def save(self) -> list[str]:
        return self.aug.save()
