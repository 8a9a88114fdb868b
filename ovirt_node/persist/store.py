"""Persistence of files on a read-only root: the `/config` store.

The node's root filesystem is read-only; the CONFIG volume, mounted at `/config`, keeps what
must survive a reboot.  Persisting a path copies it to `/config/<path>` and bind-mounts the
copy back over the original, so later writes land on the CONFIG volume; the index file
`/config/files` lists one persisted absolute path per line.  At boot `Store.restore()` puts
every indexed path back in place.

Kinds of path:

* regular file: copied (content, mode, owner, times) and bind-mounted;
* directory: the tree is copied (symlinks kept as symlinks) and bind-mounted;
* symlink: the link is re-created under `/config` and indexed, but not mounted; restore
  re-creates the link at its original place.

Files their owners replace by rename (`COPIED`) are the exception: the account databases
(shadow-utils, PAM's pam_unix) and vconsole.conf (localed) get a new file renamed over the
old one, which fails with EBUSY on a bind mount, so a forced password change at login, or a
second keymap change, would fail. They are restored by copying instead; persisting one again
(the config engine does after writing it) or `Store.refresh()` (run by the node when an account
file changes) copies it back into the store.

A persisted directory covers everything below it.  Every path given to this module is a
node path (`/etc/ssh/sshd_config`); the real location is `root(path)`, so the same code works
on a node (`Root("/")`) and against a tree under a prefix (tests, installer).  Mounts are
made with mount(2)/umount2(2) on the real paths, also under a prefix.
"""

from __future__ import annotations

import builtins
import fcntl
import hashlib
import logging
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from ovirt_node.core.root import HOST, Root
from ovirt_node.persist.mount import bind_mount, exchange, mount_points, syncfs, unmount
from ovirt_node.persist.paths import (
    COPIED,
    INDEX_NAME,
    PathRefused,
    PersistError,
    PersistResult,
    RestoreError,
    check_path,
    covering_entry,
    format_index,
    is_under,
    normalize,
    parse_index,
)

log = logging.getLogger(__name__)




def _kind(mode: int) -> str | None:
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISREG(mode):
        return "file"
    return None


def _real(path: Path) -> str:
    """The real path of `path` without following its last component."""
    return os.path.join(os.path.realpath(path.parent), path.name)


def _copy_meta(src: str | Path, dst: str | Path) -> None:
    """Owner, then mode/times/xattrs (chown may clear set-id bits, so stat comes last)."""
    st = os.lstat(src)
    os.chown(dst, st.st_uid, st.st_gid, follow_symlinks=False)
    shutil.copystat(src, dst, follow_symlinks=False)


def _copy_entry(src: str, dst: str) -> str:
    """copytree's copy function: regular files with content, special files as nodes."""
    st = os.lstat(src)
    if stat.S_ISREG(st.st_mode):
        shutil.copy2(src, dst)
    else:
        os.mknod(dst, st.st_mode, st.st_rdev)
    return dst


def _copy_file(src: Path, dst: Path) -> None:
    shutil.copyfile(src, dst)
    _copy_meta(src, dst)
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _copy_tree(src: Path, dst: Path) -> None:
    """Copy a directory tree (symlinks as symlinks) keeping owner, mode and times of every entry."""
    shutil.copytree(src, dst, symlinks=True, copy_function=_copy_entry, dirs_exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(src, topdown=False):
        rel = os.path.relpath(dirpath, src)
        for name in filenames + dirnames:
            _copy_meta(os.path.join(dirpath, name), os.path.join(dst, rel, name))
    _copy_meta(src, dst)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _temp_beside(target: Path, directory: bool) -> Path:
    """A fresh temporary file or directory next to `target` (same filesystem)."""
    prefix = f".{target.name}."
    if directory:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=".persist-tmp", dir=target.parent))
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".persist-tmp", dir=target.parent)
    os.close(fd)
    return Path(name)


def _copy_to_temp(src: Path, beside: Path, kind: str) -> Path:
    """Copy `src` (a file or a directory) to a temporary path next to `beside`."""
    tmp = _temp_beside(beside, directory=kind == "dir")
    try:
        if kind == "dir":
            _copy_tree(src, tmp)
        else:
            _copy_file(src, tmp)
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _replace_with_link(target: str, stored: Path, live: Path) -> None:
    """Atomically put a symlink to `target` (copying `stored`'s metadata) at `live`."""
    tmp = _link_to_temp(target, stored, live)
    try:
        os.replace(tmp, live)
    except BaseException:
        _remove(tmp)
        raise


def _link_to_temp(target: str, like: Path, beside: Path) -> Path:
    """A temporary symlink to `target` next to `beside`, with the owner/times of link `like`."""
    tmp = _temp_beside(beside, directory=False)
    tmp.unlink()
    os.symlink(target, tmp)
    try:
        _copy_meta(like, tmp)
    except BaseException:
        tmp.unlink()
        raise
    return tmp


def _swap_in(new: Path, target: Path) -> None:
    """Put `new` in place of `target` (atomically where the kinds allow) and drop the old one."""
    try:
        old = os.lstat(target)
    except FileNotFoundError:
        os.rename(new, target)
        return
    new_is_dir = new.is_dir() and not new.is_symlink()
    if stat.S_ISDIR(old.st_mode) and new_is_dir:
        if exchange(new, target):
            shutil.rmtree(new)  # now holds the old tree
            return
        aside = _temp_beside(target, directory=False)
        aside.unlink()
        os.rename(target, aside)
        os.rename(new, target)
        shutil.rmtree(aside)
        return
    if stat.S_ISDIR(old.st_mode) or new_is_dir:
        _remove(target)
        os.rename(new, target)
        return
    os.replace(new, target)


def _digest(path: Path) -> str | None:
    """A content checksum of a file, symlink or directory tree (None when missing)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    h = hashlib.sha256()
    _feed(h.update, path, st)
    return h.hexdigest()


def _feed(update: Callable[[bytes], None], path: Path, st: os.stat_result) -> None:
    if stat.S_ISLNK(st.st_mode):
        update(b"L" + os.fsencode(os.readlink(path)) + b"\0")
    elif stat.S_ISREG(st.st_mode):
        update(b"F")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 16), b""):
                update(block)
        update(b"\0")
    elif stat.S_ISDIR(st.st_mode):
        update(b"D")
        for name in sorted(os.listdir(path)):
            child = path / name
            update(b"N" + os.fsencode(name) + b"\0")
            _feed(update, child, os.lstat(child))
        update(b"E")
    else:
        update(b"S%d:%d\0" % (stat.S_IFMT(st.st_mode), st.st_rdev))


def _describe(exc: OSError) -> str:
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], builtins.list):
        first = exc.args[0][0]
        return f"copy failed: {first[2]}" if len(first) == 3 else f"copy failed: {first}"
    text = exc.strerror or str(exc)
    return f"{text} ({exc.filename})" if exc.filename else text


@contextmanager
def _reported(path: str | None) -> Iterator[None]:
    """Turn OSErrors into PersistErrors and give path-less PersistErrors the path."""
    try:
        yield
    except PersistError as exc:
        if exc.path is None and path is not None and type(exc) in (PersistError, PathRefused):
            raise type(exc)(exc.reason, path) from exc
        raise
    except OSError as exc:
        raise PersistError(_describe(exc), path) from exc


# --------------------------------------------------------------------------- the store


class Store:
    """The `/config` store of a node (or of a tree under a root prefix)."""

    def __init__(self, root: Root = HOST, config_dir: str = "/config") -> None:
        self.root = root
        self.config_dir = normalize(config_dir)
        self.config_real = root(self.config_dir)
        self.index_path = self.config_real / INDEX_NAME

    # -- queries

    def enabled(self) -> bool:
        """True when the CONFIG volume is mounted on the config directory.

        A plain directory is not enough: persisting into it would bind-mount files of a
        tree that nothing keeps across a reboot (and, under a root prefix, on the host).
        """
        return (
            self.config_real.is_dir()
            and os.path.ismount(self.config_real)
            and os.access(self.config_real, os.W_OK)
        )

    def stored(self, path: str) -> Path:
        """The real path of the stored copy of node path `path`."""
        return self.config_real / normalize(path).lstrip("/")

    def covered_by(self, path: str) -> str | None:
        """The index entry that persists `path` (itself or a persisted ancestor directory)."""
        return covering_entry(self._read_index(), normalize(path))

    def is_persisted(self, path: str) -> bool:
        """True when `path` is in the index or below a persisted directory."""
        return self.covered_by(path) is not None

    def is_mounted(self, path: str) -> bool:
        """True when something is mounted on node path `path`."""
        return _real(self.root(normalize(path), follow=False)) in set(mount_points())

    def in_sync(self, path: str) -> bool:
        """True when the live path and its stored copy have the same content (checksums)."""
        clean = normalize(path)
        stored = _digest(self.stored(clean))
        return stored is not None and stored == _digest(self.root(clean, follow=False))

    def not_in_place(self) -> builtins.list[str]:
        """The indexed paths the node does not have as stored right now (the boot's health
        check): a stored copy missing, a symlink not re-created, a file or directory not
        bind-mounted, a copied account file that differs from its stored copy."""
        mounted = set(mount_points())
        missing = []
        for entry in self._read_index():
            clean = normalize(entry)
            stored, live = self.stored(clean), self.root(clean, follow=False)
            if not os.path.lexists(stored):
                missing.append(clean)
            elif stored.is_symlink():
                if not (live.is_symlink() and os.readlink(live) == os.readlink(stored)):
                    missing.append(clean)
            elif clean in COPIED and stored.is_file():
                if not self.in_sync(clean):
                    missing.append(clean)
            elif _real(live) not in mounted:
                missing.append(clean)
        return missing

    # -- actions

    def persist(self, path: str) -> PersistResult:
        """Copy `path` to the store and bind-mount the copy over it (symlinks: copy only)."""
        clean = check_path(path, self.config_dir)
        live = self.root(clean, follow=False)
        self._check_ancestors(clean, path)
        try:
            st = os.lstat(live)
        except FileNotFoundError:
            raise PathRefused("no such file or directory", path) from None
        kind = _kind(st.st_mode)
        if kind is None:
            raise PathRefused("not a regular file, directory or symlink", path)
        self._require_enabled(path)
        with _reported(path), self._locked():
            entries = self._read_index()
            owner = covering_entry(entries, clean)
            if owner is not None and owner != clean:
                log.info("%s is already persisted (under %s)", clean, owner)
                return PersistResult.ALREADY
            if kind == "link":
                result = self._persist_link(clean, live, owner is not None, entries)
            else:
                result = self._persist_copy(clean, live, kind, owner is not None, entries)
        syncfs(self.config_real)
        return result

    def unpersist(self, path: str) -> PersistResult:
        """Undo `persist`: the live path keeps the stored content, the store forgets it."""
        clean = normalize(path)
        if is_under(clean, self.config_dir):
            raise PathRefused(f"{self.config_dir} and the files under it cannot be persisted", path)
        self._require_enabled(path)
        with _reported(path), self._locked():
            entries = self._read_index()
            if clean not in entries:
                log.info("%s is not persisted", clean)
                return PersistResult.NOT_PERSISTED
            self._check_ancestors(clean, path)
            self._unpersist(clean, entries)
        syncfs(self.config_real)
        return PersistResult.UNPERSISTED

    def restore(self) -> builtins.list[str]:
        """Boot time: put every indexed path back in place; returns the paths it restored.

        Paths already mounted (or symlinks already right) are left alone, so a second call
        restores nothing.  Every entry is tried; failures are raised together at the end as
        `RestoreError` (which carries the list of what was restored).
        """
        self._require_enabled()
        restored: builtins.list[str] = []
        failures: builtins.list[PersistError] = []
        with _reported(None), self._locked():
            mounted = set(mount_points())
            for entry in self._read_index():
                try:
                    if self._restore_one(entry, mounted):
                        restored.append(entry)
                    continue
                except PersistError as exc:
                    failure = PersistError(exc.reason, entry)
                except OSError as exc:
                    failure = PersistError(_describe(exc), entry)
                log.error("cannot restore %s", failure)
                failures.append(failure)
        if failures:
            raise RestoreError(restored, failures)
        return restored

    def refresh(self) -> builtins.list[str]:
        """Copy the persisted files kept as copies (`COPIED`) that changed back into the store;
        returns those it updated."""
        entries = set(self._read_index())
        return [path for path in sorted(COPIED & entries) if self.persist(path) is PersistResult.UPDATED]

    # -- internals: persist

    def _persist_link(
        self, clean: str, live: Path, indexed: bool, entries: builtins.list[str]
    ) -> PersistResult:
        target = os.readlink(live)
        stored = self.stored(clean)
        if indexed and stored.is_symlink() and os.readlink(stored) == target:
            log.info("%s is already persisted", clean)
            return PersistResult.ALREADY
        self._make_parents(clean, src=self.root, dst=self.stored)
        tmp = _link_to_temp(target, live, stored)
        try:
            _swap_in(tmp, stored)
        except BaseException:
            _remove(tmp)
            raise
        self._write_index([*entries, clean])
        log.info("%s symlink %s -> %s", "updated" if indexed else "persisted", clean, target)
        return PersistResult.UPDATED if indexed else PersistResult.PERSISTED

    def _persist_copy(
        self, clean: str, live: Path, kind: str, indexed: bool, entries: builtins.list[str]
    ) -> PersistResult:
        stored = self.stored(clean)
        mounted = self.is_mounted(clean)
        if mounted and not indexed:
            raise PersistError("is a mount point that persist did not make; refusing to cover it")
        copied = clean in COPIED and kind == "file"
        if indexed and self._same(live, stored):
            if not mounted and not copied:
                bind_mount(stored, live)
            log.info("%s is already persisted", clean)
            return PersistResult.ALREADY
        children = [e for e in entries if e != clean and is_under(e, clean)]
        self._make_parents(clean, src=self.root, dst=self.stored)
        # Copy what the live path shows now (through the current bind, if any) before
        # touching any mount, so a failed copy changes nothing.
        tmp = _copy_to_temp(live, stored, kind)
        try:
            for child in sorted(children, reverse=True):
                if self.is_mounted(child):
                    unmount(self.root(child, follow=False))
            if mounted:
                unmount(live)
            _swap_in(tmp, stored)
        except BaseException:
            _remove(tmp)
            raise
        if children:
            log.info("%s now covers the persisted %s", clean, ", ".join(children))
        self._write_index([e for e in entries if e not in children] + [clean])
        if not copied:
            bind_mount(stored, live)
        log.info("%s %s", "updated" if indexed else "persisted", clean)
        return PersistResult.UPDATED if indexed else PersistResult.PERSISTED

    def _same(self, live: Path, stored: Path) -> bool:
        try:
            a, b = os.lstat(live), os.lstat(stored)
        except FileNotFoundError:
            return False
        if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
            return True  # the live path is the bind mount of the stored copy
        return _digest(live) == _digest(stored)

    # -- internals: unpersist

    def _unpersist(self, clean: str, entries: builtins.list[str]) -> None:
        live = self.root(clean, follow=False)
        stored = self.stored(clean)
        remaining = [e for e in entries if e != clean]
        try:
            st = os.lstat(stored)
        except FileNotFoundError:
            log.warning("the stored copy of %s is missing; dropping it from the index", clean)
            if self.is_mounted(clean):
                unmount(live)
            self._write_index(remaining)
            return
        self._make_parents(clean, src=self.stored, dst=self.root)
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(stored)
            if not (live.is_symlink() and os.readlink(live) == target):
                if live.is_dir() and not live.is_symlink():
                    raise PersistError(f"{clean} is now a directory; not replacing it with the symlink")
                _replace_with_link(target, stored, live)
        else:
            kind = "dir" if stat.S_ISDIR(st.st_mode) else "file"
            tmp = _copy_to_temp(stored, live, kind)
            try:
                if self.is_mounted(clean):
                    unmount(live)
                _swap_in(tmp, live)
            except BaseException:
                _remove(tmp)
                raise
        # Forget it first: a crash now leaves an orphan copy, never an index entry without one.
        self._write_index(remaining)
        _remove(stored)
        self._prune(stored.parent)
        syncfs(live.parent)
        log.info("unpersisted %s", clean)

    def _prune(self, directory: Path) -> None:
        """Remove empty directories from `directory` up to (not including) the config dir."""
        while directory != self.config_real and is_under(str(directory), str(self.config_real)):
            try:
                directory.rmdir()
            except OSError:
                return
            directory = directory.parent

    # -- internals: restore

    def _restore_one(self, entry: str, mounted: set[str]) -> bool:
        clean = normalize(entry)
        if clean == "/" or is_under(clean, self.config_dir):
            raise PathRefused("not a path that can be restored")
        self._check_ancestors(clean, entry)
        stored = self.stored(clean)
        live = self.root(clean, follow=False)
        try:
            st = os.lstat(stored)
        except FileNotFoundError:
            raise PersistError(f"the stored copy {stored} is missing") from None
        if stat.S_ISLNK(st.st_mode):
            target = os.readlink(stored)
            if live.is_symlink() and os.readlink(live) == target:
                return False
            if live.is_dir() and not live.is_symlink():
                raise PersistError("is a directory, the stored copy is a symlink")
            self._make_parents(clean, src=self.stored, dst=self.root)
            _replace_with_link(target, stored, live)
            log.info("restored symlink %s -> %s", clean, target)
            return True
        real = _real(live)
        if real in mounted:
            return False
        if clean in COPIED and stat.S_ISREG(st.st_mode):
            return self._restore_copy(clean, stored, live)
        want_dir = stat.S_ISDIR(st.st_mode)
        if not os.path.lexists(live):
            self._make_parents(clean, src=self.stored, dst=self.root)
            if want_dir:
                live.mkdir()
            else:
                os.close(os.open(live, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            _copy_meta(stored, live)
        elif live.is_symlink() or live.is_dir() != want_dir:
            if live.is_symlink():
                have = "a symlink"
            else:
                have = "a directory" if live.is_dir() else "not a directory"
            want = "a directory" if want_dir else "a file"
            raise PersistError(f"is {have} but the stored copy is {want}")
        bind_mount(stored, live)
        mounted.add(real)
        log.info("restored %s", clean)
        return True

    def _restore_copy(self, clean: str, stored: Path, live: Path) -> bool:
        if live.is_file() and not live.is_symlink() and _digest(live) == _digest(stored):
            return False
        self._make_parents(clean, src=self.stored, dst=self.root)
        tmp = _copy_to_temp(stored, live, "file")
        try:
            _swap_in(tmp, live)
        except BaseException:
            _remove(tmp)
            raise
        log.info("restored %s (copied)", clean)
        return True

    # -- internals: common

    def _require_enabled(self, path: str | None = None) -> None:
        if not self.config_real.is_dir():
            raise PersistError(f"{self.config_dir} is not available (is the CONFIG volume mounted?)", path)
        if not os.access(self.config_real, os.W_OK):
            raise PersistError(f"{self.config_dir} is not writable", path)

    def _check_ancestors(self, clean: str, given: str) -> None:
        """Refuse paths reached through a symlinked directory (they would escape the root)."""
        for parent in reversed(PurePosixPath(clean).parents):
            if str(parent) != "/" and self.root(str(parent), follow=False).is_symlink():
                raise PathRefused(f"its parent directory {parent} is a symlink; persist the real path", given)

    def _make_parents(self, clean: str, src: Callable[[str], Path], dst: Callable[[str], Path]) -> None:
        """Create the missing parent directories of `dst(clean)` like those of `src(clean)`."""
        for parent in reversed(PurePosixPath(clean).parents):
            if str(parent) == "/":
                continue
            target = dst(str(parent))
            if target.is_symlink() or (os.path.lexists(target) and not target.is_dir()):
                raise PersistError(f"{target} is not a directory")
            if target.is_dir():
                continue
            target.mkdir(mode=0o755)
            like = src(str(parent))
            if like.is_dir():
                st = os.stat(like)
                os.chown(target, st.st_uid, st.st_gid)
                os.chmod(target, stat.S_IMODE(st.st_mode))

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Serialise persist/unpersist/restore runs (flock on the config directory)."""
        fd = os.open(self.config_real, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def _read_index(self) -> builtins.list[str]:
        try:
            text = self.index_path.read_text(encoding="utf-8", errors="surrogateescape")
        except FileNotFoundError:
            return []
        return parse_index(text)

    def _write_index(self, entries: Iterable[str]) -> None:
        """Rewrite the index atomically (temp file, fsync, rename, fsync of the directory)."""
        text = format_index(entries)
        fd, name = tempfile.mkstemp(prefix=f".{INDEX_NAME}.", suffix=".tmp", dir=self.config_real)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(name, 0o644)
            os.replace(name, self.index_path)
        except BaseException:
            if os.path.lexists(name):
                os.unlink(name)
            raise
        dfd = os.open(self.config_real, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
        log.debug("wrote %s (%d entries)", self.index_path, text.count("\n"))

    def list(self) -> builtins.list[str]:
        """The persisted paths (index entries), sorted."""
        return self._read_index()
