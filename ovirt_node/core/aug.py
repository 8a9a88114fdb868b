"""The Augeas layer: one handle per root, loading only the lenses the models in use need.

Full lens autoload costs over a second; loading a handful of named lenses costs a few
milliseconds (see `make bench`). Errors that Augeas records under `/augeas//error` are
raised as `AugeasError` naming the file and line, never silently ignored.

libaugeas is not thread-safe and python-augeas releases the GIL around its C calls, while the
TUI reads one handle from the main loop, page workers and the transaction thread at once: so
every call on a handle holds the handle's lock (calls are short; nobody waits for long).
"""

from __future__ import annotations

import fnmatch
import logging
import posixpath
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ovirt_node.core.record import Record
from ovirt_node.core.root import Root, not_regular

log = logging.getLogger(__name__)

#: Our own lenses (OvirtDefaults, OvirtSshd, OvirtChrony) live next to this module.
LENS_DIR = Path(__file__).with_name("lenses")
#: The lens for every `KEY=value` file we touch (/etc/default/*, /etc/sysconfig/*,
#: vconsole.conf, initiatorname.iscsi): our OvirtDefaults, not Shellvars, whose lens handles
#: whole shell scripts and costs more to build than the rest of the node's lenses together.
SHELL_VARS = "OvirtDefaults"


class LensFile(Record):
    """A file on the node and the Augeas lens module that parses it."""

    lens: str
    path: str


class AugeasError(RuntimeError):
    """Augeas could not parse, change or save a file."""

    def __init__(self, path: str, message: str, line: str | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}, line {line}" if line else path
        super().__init__(f"{where}: {message}")


def files_node(path: str) -> str:
    """The tree node of a file: `/etc/hosts` -> `/files/etc/hosts`."""
    return "/files" + path


class _Serialized:
    """Forwards to the libaugeas handle; every call runs under the lock."""

    def __init__(self, inner: Any, lock: threading.RLock) -> None:
        self._inner = inner
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


class Augeas:
    """A handle on a root with exactly the given files loaded; safe to share between threads."""

    def __init__(self, root: Root, files: Iterable[LensFile]) -> None:
        self.root = root
        self.files = tuple(dict.fromkeys(files))
        self.lock = threading.RLock()
        self._aug = self._open()
        self.load()

    def _open(self) -> _Serialized:
        """A libaugeas handle with this handle's files' transforms, not loaded yet."""
        import augeas  # here, not at the top: the setup TUI draws its first screen without it

        handle = _Serialized(augeas.Augeas(
            root=str(self.root.prefix),
            loadpath=str(LENS_DIR),
            flags=augeas.Augeas.NO_MODL_AUTOLOAD | augeas.Augeas.NO_LOAD,
        ), self.lock)
        for lf in self.files:
            self._refuse_odd(lf)
            handle.transform(lf.lens, lf.path)
        # Bind-mounted (persisted) files cannot be renamed over: fall back to copying.
        handle.set("/augeas/save/copy_if_rename_fails", "1")
        return handle

    def _reopen(self) -> None:
        """A fresh libaugeas handle that reads every file from disk. libaugeas (1.14) writes a
        file that its handle created (absent when the handle loaded) once only: a later change
        to that file's tree saves nothing, with no error and no saved event, and an aug_load
        drops the file's tree (the next save writes only the keys set after it). Loaded from disk
        by a new handle, the file is an ordinary loaded file again. Creating a file is rare (the
        settings file at install, a new connection): a new handle then costs a few ms."""
        with self.lock:
            # The old handle is dropped, not closed: a page worker may hold one of its bound
            # calls, waiting for the lock; it reads the old tree then, and the handle is freed
            # with its last reference.
            self._aug = self._open()
            self.load()

    # -- loading and errors -------------------------------------------------------------

    def add(self, files: Iterable[LensFile]) -> None:
        """Load more files into this handle, e.g. when a section is read for the first time
        (every lens costs time and memory to build: a screen that shows no SSH setting should
        not pay for sshd_config's). Re-reads the files, so call it between changes, not in the middle of an edit."""
        with self.lock:  # the transforms and the reload belong together
            new = [lf for lf in dict.fromkeys(files) if lf not in self.files]
            if not new:
                return
            for lf in new:
                self._refuse_odd(lf)
                self._aug.transform(lf.lens, lf.path)
            self.files = (*self.files, *new)
            self.load()

    def _refuse_odd(self, lf: LensFile) -> None:
        """A FIFO, device or directory where a config file belongs: Augeas would block on it
        for ever (a FIFO) or skip it, and a later save would fail half way. Said at once.
        Augeas follows symbolic links as the host sees them: mapping each file through the
        Root refuses one that leads out of the prefix (SymlinkEscapeError) before Augeas reads it."""
        for path in self._matches(lf.path):
            kind = not_regular(self.root(path))
            if kind:
                raise AugeasError(path, f"is {kind}, not a regular file; nothing was changed")

    def _matches(self, pattern: str) -> list[str]:
        """The node paths a lens file pattern names (a glob such as `*.nmconnection`: each file)."""
        if not any(char in pattern for char in "*?["):  # glob's own test for a pattern
            return [pattern]
        folder, name = posixpath.split(pattern)
        real = self.root(folder)
        return [posixpath.join(folder, p.name) for p in sorted(real.glob(name))] if real.is_dir() else []

    def load(self) -> None:
        """(Re)read every file from disk; raise on the first parse error."""
        self._aug.load()
        self._raise_errors()

    def _raise_errors(self) -> None:
        for err in self._aug.match("/augeas//error"):
            node = err.rsplit("/error", 1)[0]
            path = node[len("/augeas/files") :] if node.startswith("/augeas/files") else node
            message = self._aug.get(err + "/message") or self._aug.get(err) or "unknown Augeas error"
            line = self._aug.get(err + "/line")
            log.debug("augeas error on %s: %s", path, message)
            # Put errors carry a dump of the whole lens after the first line: keep the sentence.
            message = message.strip().splitlines()[0]
            raise AugeasError(path, message, line)

    # -- tree access ----------------------------------------------------------------------

    def get(self, path: str) -> str | None:
        value: str | None = self._aug.get(path)
        return value

    def match(self, path: str) -> list[str]:
        found: list[str] = self._aug.match(path)
        return found

    def exists(self, path: str) -> bool:
        return bool(self._aug.match(path))

    def set(self, path: str, value: str | None) -> bool:
        """Set a node; returns whether anything changed (unchanged nodes stay clean, so
        Augeas does not rewrite their file)."""
        if self.exists(path) and self.get(path) == value:
            return False
        self._aug.set(path, value)
        return True

    def remove(self, path: str) -> int:
        count: int = self._aug.remove(path)
        return count

    def insert(self, path: str, label: str, before: bool = True) -> None:
        self._aug.insert(path, label, before)

    def save(self) -> list[str]:
        """Write the files whose trees changed; returns their node paths. Augeas writes by
        rename: each saved file gets back its extended attributes and hard links (inode.py)."""
        from ovirt_node.core.inode import carry_over, remember  # a save's, not a read's (the first screen)

        with self.lock:
            loaded = self._loaded_paths()
            existed = {path for path in loaded if self.root(path).exists()}
            kept = {path: k for path in loaded if (k := remember(self.root(path))) is not None}
            try:
                try:
                    self._aug.save()
                except OSError as exc:
                    self._raise_errors()
                    raise AugeasError("(save)", str(exc)) from exc
                self._raise_errors()
                saved = [self._aug.get(p) or "" for p in self._aug.match("/augeas/events/saved")]
                saved = [s[len("/files") :] if s.startswith("/files") else s for s in saved]
                for path in saved:
                    log.info("augeas: saved %s", path)
                    if path in kept:
                        carry_over(kept.pop(path))
                if any(path not in existed for path in saved):
                    self._reopen()  # a file this save created (see _reopen)
                return saved
            finally:
                for left in kept.values():
                    left.close()

    def render(self, path: str) -> str | None:
        """The text `path` would hold if the tree were saved now, written nowhere (a check's
        diff); None when the tree no longer has the file. Augeas's text_retrieve keeps the
        untouched parts of the file on disk as they are, exactly as a save would."""
        lens = next((lf.lens for lf in self.files if fnmatch.fnmatchcase(path, lf.path)), None)
        if lens is None:
            raise AugeasError(path, "no lens of this handle reads it")
        if not self.exists(files_node(path)):
            return None
        target = self.root(path)
        original = target.read_text(errors="replace") if target.is_file() else ""
        with self.lock:
            try:
                self._aug.set("/preview/in", original)
                self._aug.text_retrieve(f"{lens}.lns", "/preview/in", files_node(path), "/preview/out")
                text: str | None = self._aug.get("/preview/out")
            except (ValueError, RuntimeError) as exc:
                raise AugeasError(path, f"cannot render the planned text: {exc}") from exc
            finally:
                self._aug.remove("/preview")
        return text or ""

    def _loaded_paths(self) -> list[str]:
        """The node paths of the files this handle has loaded (globs expanded)."""
        return [path for lf in self.files for path in self._matches(lf.path)]

    def close(self) -> None:
        self._aug.close()
