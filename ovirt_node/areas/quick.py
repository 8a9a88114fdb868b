"""The value of a key that one file and /etc/default/ovirt decide, read without the engine.

`ovirt-node-config get KEY` through the engine imports argparse, logging, dataclasses, typing,
the model, the validators and the key's area: twice the time of a bare `python -c 'import
augeas'` before a file is read. Scripts read keys in loops, so the keys below are read here
with os and augeas alone: the area's one file and the defaults file, each with its own lens.

The rules are the areas' own read() and the engine's (the real file first, then the defaults
file under the key's OVIRT_* names, then the built-in default). This module answers only when
it is sure to give what the engine gives: under a root prefix, a symbolic link on the way to a
file it reads (the engine's Root would have to judge it), a special file, a change to finish
(a journal or lock under /run), an Augeas error or anything unexpected makes it answer None,
and the caller takes the engine's path. tests/integration/test_config_quick.py compares the
two on every key of the registry, on the demo and the EL roots and on odd trees.
"""

from __future__ import annotations

import os
import stat

from ovirt_node.core.linkwalk import first_link
from ovirt_node.core.runstate import JOURNAL_DIR, LOCK_PATH
from ovirt_node.core.shellword import unquote

#: Not typing's: importing typing (or collections.abc) costs more than this whole read.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    #: Reads an area's values from the tree (the handle's `get`); called when its file exists.
    Reader = Callable[[Callable[[str], str | None]], dict[str, str | None]]

#: Our lenses (core/lenses), as core.aug finds them.
LENS_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "core", "lenses")
DEFAULTS = ("OvirtDefaults", "/etc/default/ovirt")

_SSHD = "/files/etc/ssh/sshd_config"
_BOOLEAN = {**dict.fromkeys(("yes", "true", "on", "1"), "yes"), **dict.fromkeys(("no", "false", "off", "0"), "no")}


def _ssh(get: Callable[[str], str | None]) -> dict[str, str | None]:
    # areas/ssh.py: sshd's own defaults when the file says nothing; a word that is not a
    # boolean raises (KeyError) where the engine raises too: the engine's path then says it.
    pwauth = get(f"{_SSHD}/PasswordAuthentication")
    port = get(f"{_SSHD}/Port")
    if pwauth and not pwauth.isascii():
        raise Unsure(pwauth)
    return {"ssh.pwauth": _BOOLEAN[pwauth.lower()] if pwauth else "yes", "ssh.port": port or "22"}


def _iscsi(get: Callable[[str], str | None]) -> dict[str, str | None]:
    raw = get("/files/etc/iscsi/initiatorname.iscsi/InitiatorName")
    return {"iscsi.initiator_name": unquote(raw) if raw else None}


def _keyboard(get: Callable[[str], str | None]) -> dict[str, str | None]:
    return {"keyboard.keymap": (get("/files/etc/vconsole.conf/KEYMAP") or "").strip("\"'") or "us"}


def _nfsv4(get: Callable[[str], str | None]) -> dict[str, str | None]:
    return {"nfsv4.domain": get("/files/etc/idmapd.conf/target[. = 'General']/Domain") or ""}


#: Area -> its file (lens, path) and reader; None: the defaults file is the only place.
AREAS: dict[str, tuple[str, str, Reader] | None] = {
    "ssh": ("OvirtSshd", "/etc/ssh/sshd_config", _ssh),
    "iscsi": ("OvirtDefaults", "/etc/iscsi/initiatorname.iscsi", _iscsi),
    "keyboard": ("OvirtDefaults", "/etc/vconsole.conf", _keyboard),
    "nfsv4": ("Sssd", "/etc/idmapd.conf", _nfsv4),
    "lifecycle": None,
}
#: Key -> its OVIRT_* names (the current one, then older ones) and built-in default, as the
#: area's Key has them (tests/unit/test_config_quick.py holds them to the registry).
KEYS: dict[str, tuple[tuple[str, ...], str]] = {
    "ssh.port": (("OVIRT_SSH_PORT",), "22"),
    "ssh.pwauth": (("OVIRT_SSH_PWAUTH",), "no"),
    "iscsi.initiator_name": (("OVIRT_ISCSI_NODE_NAME", "OVIRT_ISCSI_NAME"), ""),
    "keyboard.keymap": (("OVIRT_KEYBOARD_LAYOUT",), "us"),
    "nfsv4.domain": (("OVIRT_NFSV4_DOMAIN",), ""),
    "lifecycle.report_url": (("OVIRT_REPORT_URL",), ""),
}


class Unsure(Exception):
    """Something the engine's path must judge: the caller takes it."""


def _real(prefix: str, path: str) -> str:
    """The real path of node path `path`; Unsure when a symbolic link is on the way under a
    prefix (the engine's Root decides whether it leads out) or the path is not plain."""
    if not path.startswith("/") or os.path.normpath(path) != path:
        raise Unsure(path)
    if prefix == "/":
        return path
    link = first_link(prefix, path)
    if link is not None:
        raise Unsure(link)
    return prefix + path


def _file(prefix: str, path: str) -> bool:
    """Whether the node's file `path` exists; Unsure when something other than a regular file
    stands there (the engine refuses it with its own message)."""
    try:
        mode = os.stat(_real(prefix, path)).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return False
    if not stat.S_ISREG(mode):
        raise Unsure(path)
    return True


def _check_ssh_homes(prefix: str) -> None:
    """The SSH area also reads the authorized_keys of admin and root (their homes from the
    node's /etc/passwd), and the engine's Root judges those paths: Unsure unless they are plain."""
    if not _file(prefix, "/etc/passwd"):
        return
    with open(_real(prefix, "/etc/passwd"), encoding="utf-8", errors="replace") as passwd:
        lines = passwd.read().splitlines()
    for user in ("admin", "root"):
        for line in lines:
            fields = line.split(":")
            if len(fields) >= 7 and fields[0] == user and fields[2].isdigit() and fields[3].isdigit():
                _real(prefix, f"{(fields[5] or '/').rstrip('/')}/.ssh/authorized_keys")
                break


def _stored(get: Callable[[str], str | None], match: Callable[[str], list[str]]) -> dict[str, str]:
    """/etc/default/ovirt's settings, as core.defaults.Defaults.items() has them."""
    values: dict[str, str] = {}
    for path in match("/files/etc/default/ovirt/*"):
        label = path.rsplit("/", 1)[1]
        if not label.startswith("#"):
            raw = get(path)
            values[label] = "" if raw is None else unquote(raw)
    return values


def read(prefix: str, key: str) -> str | None:
    """`key`'s value on the node under `prefix` (a real path, as Root.at makes it), or None
    when this module does not know the key or cannot be sure (the engine's path then runs)."""
    if key not in KEYS:
        return None
    try:
        return _read(prefix, key)
    except Exception:  # noqa: BLE001 - anything odd is the engine's to report, in its words
        return None


def _read(prefix: str, key: str) -> str:
    area = key.partition(".")[0]
    for path in (JOURNAL_DIR, LOCK_PATH):
        if os.path.lexists(_real(prefix, path)):
            raise Unsure(path)  # a change to finish or to wait for
    spec = AREAS[area]
    files = [DEFAULTS] if spec is None else [DEFAULTS, spec[:2]]
    present = {path: _file(prefix, path) for _, path in files}
    if area == "ssh":
        _check_ssh_homes(prefix)
    import augeas

    handle = augeas.Augeas(root=prefix, loadpath=LENS_DIR,
                           flags=augeas.Augeas.NO_MODL_AUTOLOAD | augeas.Augeas.NO_LOAD)
    try:
        for lens, path in files:
            handle.transform(lens, path)
        handle.load()
        if handle.match("/augeas//error"):
            raise Unsure("augeas")
        system = spec[2](handle.get) if spec is not None and present[spec[1]] else {}
        stored = _stored(handle.get, handle.match)
    finally:
        handle.close()
    names, default = KEYS[key]
    value = system.get(key)
    if value is not None:
        return value
    return next((stored[n] for n in names if n in stored), default)
