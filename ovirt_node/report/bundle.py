"""The support bundle: one `.tar.gz` an operator hands to whoever helps them.

It holds the node's logs, the settings file, the persisted file list and the persisted files
(except password databases and private keys), the configuration files the engine manages, the
node's identity (os-release, kernel arguments) and the output of every diagnostic tool, each
passed through `redact` first, plus `manifest.json` naming where each member came from, its
size and checksum, and how many secrets were removed.

Bundles go to `/data/support/` on the node (under the root prefix otherwise), or where the
operator says; the file is created mode 0600 (it describes the node in detail), written under
a temporary name and renamed, so a half-written bundle never looks finished.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import logging
import os
import posixpath
import re
import socket
import tarfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ovirt_node import __version__
from ovirt_node.core.defaults import DEFAULTS_PATH
from ovirt_node.core.root import Root, SymlinkEscapeError
from ovirt_node.core.run import Runner, run
from ovirt_node.report import diagnostics
from ovirt_node.report.redact import redact

if TYPE_CHECKING:
    from ovirt_node.core.model import Section

log = logging.getLogger(__name__)

SUPPORT_DIR = "/data/support"
PERSIST_INDEX = "/config/files"
NODE_FILES = ("/etc/os-release", "/etc/hostname", "/proc/cmdline")
#: A log bigger than this is cut to its end (the start of a huge log rarely explains today).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Persisted files taken at most (a persisted directory may hold many).
MAX_PERSISTED = 300
#: Files that hold nothing but secrets: never copied, even redacted (listed in the manifest).
SECRET_STORES = ("/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd")
PREFIX = "ovirt-node-support"


class BundleError(Exception):
    """The bundle cannot be written where asked (the message says why); nothing was written."""


@dataclass(frozen=True)
class Member:
    name: str  # path inside the bundle's folder
    source: str  # node path or command it came from
    text: str


@dataclass(frozen=True)
class Bundle:
    path: Path | None  # None when written to a stream
    members: int
    redactions: int


def config_files(sections: Iterable[Section]) -> list[str]:
    """The settings file and every file the sections read and write, sorted, once each."""
    return sorted({DEFAULTS_PATH, *(lf.path for s in sections for lf in s.lens_files)})


def secret_names(sections: Iterable[Section]) -> frozenset[str]:
    """The names (dotted and OVIRT_*) of the keys the sections mark secret, lower case."""
    keys = [k for s in sections for k in s.keys if k.secret]
    return frozenset(n.lower() for k in keys for n in (k.name, k.ovirt, *k.legacy) if n)


def _read(path: Path) -> str:
    """A file as text (a `.gz` one uncompressed), only its end when it is huge."""
    with path.open("rb") as raw:
        data = gzip.GzipFile(fileobj=raw).read() if path.name.endswith(".gz") else raw.read()
    if len(data) > MAX_FILE_BYTES:
        data = b"(cut: only the last %d bytes)\n" % MAX_FILE_BYTES + data[-MAX_FILE_BYTES:]
    return data.decode("utf-8", errors="replace")


def _file(root: Root, node_path: str, folder: str, absent: list[str]) -> list[Member]:
    try:
        real = root(node_path)
    except SymlinkEscapeError as exc:  # a link out of the tree: neither its content nor its name
        absent.append(f"{node_path} (a symbolic link out of the root: not followed)")
        log.warning("support bundle: %s", exc)
        return []
    if not real.is_file():
        absent.append(node_path)
        return []
    try:
        text = _read(real)
    except (OSError, EOFError) as exc:
        text = f"cannot read {node_path}: {exc}"
    return [Member(f"{folder}{node_path.removesuffix('.gz')}", node_path, text)]


def secret_store(node_path: str) -> bool:
    """Password databases and private keys: nothing in them helps support."""
    name = node_path.rsplit("/", 1)[-1]
    return (node_path in SECRET_STORES or name.endswith(("_key", ".key"))
            or (name.startswith("id_") or "_id_" in name) and not name.endswith(".pub"))


def persisted(root: Root, index: str) -> list[str]:
    """The regular files the persisted paths of `index` name (directories walked)."""
    from ovirt_node.persist.paths import parse_index

    found: list[str] = []
    for entry in parse_index(index):
        try:
            real = root(entry, follow=False)
        except SymlinkEscapeError:
            continue  # its folder leads out of the tree; the manifest lists what was left out
        if real.is_dir() and not real.is_symlink():
            found += sorted(f"{entry}/{p.relative_to(real)}" for p in real.rglob("*") if p.is_file()
                            and not p.is_symlink())
        elif real.is_file() and not real.is_symlink():
            found.append(entry)
    return found[:MAX_PERSISTED]


def expand(root: Root, files: Iterable[str]) -> list[str]:
    """Node paths with a glob (`/etc/NetworkManager/system-connections/*.nmconnection`)
    replaced by the files it matches under the root; other paths as they are."""
    found: list[str] = []
    for pattern in files:
        if not glob.has_magic(pattern):
            found.append(pattern)
            continue
        folder, name = posixpath.split(pattern)
        try:
            real = root(folder)
        except SymlinkEscapeError:
            found.append(folder)  # listed as not followed by _file
            continue
        if real.is_dir():
            found += sorted(posixpath.join(folder, p.name) for p in real.glob(name))
    return found


def collect(root: Root, files: Sequence[str], runner: Runner = run,
            live: bool | None = None) -> tuple[list[Member], list[str]]:
    """The members (not yet redacted) and the node paths not taken (absent, or secret
    stores). `live`: whether the tools may inspect the running system (default: root `/`)."""
    absent: list[str] = []
    members: list[Member] = []
    for log_path in diagnostics.node_logs(root):
        members += _file(root, f"{diagnostics.NODE_LOG_DIR}/{log_path.name}", "logs", absent)
    try:
        index = root(PERSIST_INDEX).read_text(errors="replace")
    except OSError:
        index = f"(no persisted files: {PERSIST_INDEX} does not exist)\n"
    for node_path in dict.fromkeys([*NODE_FILES, *expand(root, files), *persisted(root, index)]):
        if secret_store(node_path):
            absent.append(f"{node_path} (holds secrets only: not copied)")
        else:
            members += _file(root, node_path, "files", absent)
    members.append(Member("persisted-files.txt", PERSIST_INDEX, index))
    for tool in diagnostics.TOOLS:
        members.append(Member(f"commands/{tool.name}.txt", tool.shows, diagnostics.run_tool(tool, root, runner, live)))
    members.append(Member("commands/journal.txt", "journalctl -b", diagnostics.journal(root, runner)))
    return members, absent


def _hostname(root: Root) -> str:
    try:
        name = root("/etc/hostname").read_text().strip().splitlines()[0]
    except (OSError, IndexError, SymlinkEscapeError):
        name = socket.gethostname() if root.is_host else "node"
    return re.sub(r"[^A-Za-z0-9.-]", "_", name) or "node"


def default_name(root: Root, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{PREFIX}-{_hostname(root)}-{stamp}.tar.gz"


def _add(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o600
    tar.addfile(info, io.BytesIO(data))


def write(members: Sequence[Member], absent: Sequence[str], out: IO[bytes], top: str, root: Root,
          known: frozenset[str] = frozenset()) -> int:
    """Redact every member (`known`: more secret names) and write the archive to `out`; the
    number of redactions."""
    now = time.time()
    listed = []
    total = 0
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for member in members:
            text, count = redact(member.text, known)
            data = text.encode("utf-8")
            total += count
            _add(tar, f"{top}/{member.name}", data, now)
            listed.append({"name": member.name, "source": member.source, "bytes": len(data),
                           "sha256": hashlib.sha256(data).hexdigest(), "redactions": count})
        manifest = {
            "product": "ovirt-node", "version": __version__,
            "created": datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds"),
            "hostname": _hostname(root), "root": str(root),
            "note": "passwords, password hashes, private keys and other secrets are replaced by <redacted>",
            "redactions": total, "members": listed, "absent": list(absent),
        }
        _add(tar, f"{top}/manifest.json", json.dumps(manifest, indent=2).encode(), now)
    return total


def _new_in(folder: Path, root: Root) -> Path:
    """A name not taken yet in `folder` (two bundles in one second get -2, -3, ...)."""
    name = default_name(root)
    path, number = folder / name, 1
    while path.exists():
        number += 1
        path = folder / name.replace(".tar.gz", f"-{number}.tar.gz")
    return path


def target_path(root: Root, output: Path | None) -> Path:
    """Where the bundle goes: a new name in /data/support (under the root), in the folder
    `output` names, or the file `output` (which must not exist yet)."""
    if output is None:
        folder = root(SUPPORT_DIR)
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        return _new_in(folder, root)
    if output.is_dir():
        return _new_in(output, root)
    if output.exists() or output.is_symlink():
        raise BundleError(f"{output} exists; not overwritten (give a new file name or a folder)")
    if not output.parent.is_dir():
        raise BundleError(f"{output.parent}: no such folder")
    if not output.name.endswith((".tar.gz", ".tgz")):
        raise BundleError(f"{output}: the name must end in .tar.gz or .tgz")
    return output


def create(root: Root, sections: Sequence[Section], *, output: Path | None = None, runner: Runner = run,
           live: bool | None = None) -> Bundle:
    """Collect, redact and write a bundle file for a node with these config `sections`;
    `BundleError` if it cannot go there."""
    path = target_path(root, output)
    members, absent = collect(root, config_files(sections), runner, live)
    partial = path.with_name(f".{path.name}.partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise BundleError(f"cannot write in {path.parent}: {exc.strerror}") from exc
    try:
        os.fchmod(fd, 0o600)  # exactly 0600, whatever the umask
        with os.fdopen(fd, "wb") as out:
            top = path.name.removesuffix(".tar.gz").removesuffix(".tgz")
            redactions = write(members, absent, out, top, root, secret_names(sections))
        if path.exists():
            raise BundleError(f"{path} appeared while the bundle was written; not overwritten")
        os.rename(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return Bundle(path, len(members) + 1, redactions)


def stream(root: Root, sections: Sequence[Section], out: IO[bytes], *, runner: Runner = run,
           live: bool | None = None) -> Bundle:
    """Write a bundle to a stream (`ovirt-node-config support-bundle --output -` over SSH)."""
    members, absent = collect(root, config_files(sections), runner, live)
    top = default_name(root).removesuffix(".tar.gz")
    redactions = write(members, absent, out, top, root, secret_names(sections))
    return Bundle(None, len(members) + 1, redactions)


def bundles(root: Root) -> list[Path]:
    """The finished bundles in /data/support, newest first."""
    folder = root(SUPPORT_DIR)
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob(f"{PREFIX}-*.tar.gz") if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)
