"""File backups and the intent journal that lets the next run finish an interrupted rollback.

Before a transaction changes anything it writes, under the root's `/run/ovirt-node/transaction/`,
a copy of every file it may touch (or that it was absent, or a symlink) and `journal.json`
listing them; the directory is removed when the run ends, applied or rolled back. A run killed
in between (kill -9, power loss of a tmpfs-less /run) leaves it behind: the next run of any
front door restores those backups byte for byte before it reads the node, and says so.

Temporary files: ours are `.ovirt-node-tmp.<name>.*` beside their target; Augeas's are
`<name>.XXXXXX`. Those a dead run left beside the files it listed are removed with its journal.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ovirt_node.core.root import NotARegularFile, Root, not_regular
from ovirt_node.core.runstate import JOURNAL_DIR as JOURNAL_DIR
from ovirt_node.core.runstate import TEMP_PREFIX as TEMP_PREFIX

log = logging.getLogger(__name__)

JOURNAL_NAME = "journal.json"
#: The prefix of our own temporary files (write_file_atomic), beside their target.


@dataclass
class FileBackup:
    """What a file was before a step ran: its bytes and metadata, a symlink's target, or that
    it was absent (then also the directories a run may create above it)."""

    path: Path
    content: bytes | None
    mode: int = 0
    uid: int = 0
    gid: int = 0
    created_dirs: list[Path] = field(default_factory=list)
    link: str | None = None

    @classmethod
    def take(cls, path: Path, shown: str | None = None, *, through_link: bool = True) -> FileBackup:
        """`through_link` False: `path` is a link leading out of the root; only the link itself
        is kept (the step that would write through it is refused by Root)."""
        link = os.readlink(path) if path.is_symlink() else None
        if link is not None and not through_link:
            return cls(path, None, link=link)
        kind = not_regular(path)
        if kind:  # refuse before anything is written: a FIFO would hang, a directory half-fail
            raise NotARegularFile(shown or str(path), kind)
        if not path.exists():
            missing = []
            parent = path.parent
            while not parent.exists() and not parent.is_symlink():
                missing.append(parent)
                parent = parent.parent
            return cls(path, None, created_dirs=missing, link=link)
        st = path.stat()
        return cls(path, path.read_bytes(), st.st_mode & 0o7777, st.st_uid, st.st_gid, link=link)

    def restore(self) -> None:
        if self.link is not None and not (self.path.is_symlink() and os.readlink(self.path) == self.link):
            if self.path.is_symlink() or self.path.is_file():
                self.path.unlink()
            self.path.symlink_to(self.link)
        if self.content is None:
            if self.link is None and (self.path.exists() or self.path.is_symlink()):
                self.path.unlink()
            for directory in self.created_dirs:  # deepest first, as recorded
                if directory.is_dir() and not directory.is_symlink() and not any(directory.iterdir()):
                    directory.rmdir()
            return
        if self.path.is_file() and self.path.read_bytes() == self.content:
            st = self.path.stat()
            if (st.st_mode & 0o7777, st.st_uid, st.st_gid) == (self.mode, self.uid, self.gid):
                return  # untouched: nothing to write (and the file system may be read-only)
        # In place, not via rename: a persisted file is a bind mount and must stay one.
        with open(self.path, "r+b" if self.path.exists() else "wb") as handle:
            handle.write(self.content)
            handle.truncate()
            handle.flush()
            os.fsync(handle.fileno())
        os.chown(self.path, self.uid, self.gid)
        os.chmod(self.path, self.mode)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


class Journal:
    """One run's journal directory: written before the first change, removed at its end."""

    def __init__(self, root: Root) -> None:
        self.root = root
        self.dir = root(JOURNAL_DIR)

    def begin(self, title: str, backups: Sequence[FileBackup]) -> None:
        if self.dir.exists():
            shutil.rmtree(self.dir)
        self.dir.mkdir(parents=True)
        entries = []
        for n, backup in enumerate(backups):
            saved = None
            if backup.content is not None:
                saved = f"{n}.bak"
                _write_synced(self.dir / saved, backup.content)
            entries.append({
                "path": "/" + str(backup.path.relative_to(self.root.prefix)),
                "backup": saved, "mode": backup.mode, "uid": backup.uid, "gid": backup.gid, "link": backup.link,
                "created_dirs": ["/" + str(d.relative_to(self.root.prefix)) for d in backup.created_dirs],
            })
        # Written last and renamed in: a journal that exists lists backups that are complete.
        text = json.dumps({"pid": os.getpid(), "title": title, "files": entries}, indent=1)
        _write_synced(self.dir / (JOURNAL_NAME + ".new"), text.encode())
        os.replace(self.dir / (JOURNAL_NAME + ".new"), self.dir / JOURNAL_NAME)
        _fsync_dir(self.dir)

    def end(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def remove_temp_files(paths: Iterable[Path], since: float | None = None) -> list[Path]:
    """Our temporary files beside `paths`, and (with `since`, a dead run's start) Augeas's
    `<name>.XXXXXX` made after it; returns what was removed."""
    removed = []
    for path in paths:
        if not path.parent.is_dir():
            continue
        augeas_temp = re.compile(re.escape(path.name) + r"\.[A-Za-z0-9]{6}$")
        for other in path.parent.iterdir():
            ours = other.name.startswith(TEMP_PREFIX + path.name + ".")
            theirs = since is not None and augeas_temp.match(other.name) is not None
            if (ours or theirs) and other.is_file() and not other.is_symlink():
                if theirs and not ours and since is not None and other.stat().st_mtime < since:
                    continue  # older than the dead run: not its file (an rpmnew, say)
                other.unlink()
                removed.append(other)
    return removed


def recover_interrupted(root: Root) -> str | None:
    """Finish the rollback of a transaction whose run was killed: restore every file its journal
    lists, remove its temporary files and the journal. Returns what was done, for the operator."""
    directory = root(JOURNAL_DIR)
    if not directory.exists():
        return None
    journal = directory / JOURNAL_NAME
    if not journal.is_file():  # killed while writing its backups: nothing was changed yet
        shutil.rmtree(directory, ignore_errors=True)
        return None
    data: dict[str, Any] = json.loads(journal.read_text())
    started = journal.stat().st_mtime - 1  # mtime granularity: a temp file of the same second counts
    backups = []
    for entry in data["files"]:
        content = (directory / entry["backup"]).read_bytes() if entry["backup"] else None
        backups.append(FileBackup(root(entry["path"], follow=False), content, entry["mode"], entry["uid"],
                                  entry["gid"], [root(d, follow=False) for d in entry["created_dirs"]], entry["link"]))
    remove_temp_files((b.path for b in backups), since=started)
    for backup in reversed(backups):
        backup.restore()
    shutil.rmtree(directory)
    paths = ", ".join(str(e["path"]) for e in data["files"]) or "no files"
    message = (f"an interrupted change ({data.get('title', '?')!s}, pid {data.get('pid', '?')}) was rolled back "
               f"first: restored {paths}")
    log.warning("%s", message)
    return message
