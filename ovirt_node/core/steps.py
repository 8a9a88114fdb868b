"""The step kinds a transaction is made of."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.core.aug import Augeas, LensFile
from ovirt_node.core.context import Context
from ovirt_node.core.defaults import DEFAULTS_PATH
from ovirt_node.core.inode import copy_xattrs, read_xattrs
from ovirt_node.core.journal import TEMP_PREFIX
from ovirt_node.core.transaction import Step, StepRun


@dataclass(frozen=True)
class WriteDefaults(Step):
    """Set (or with None remove) keys of /etc/default/ovirt."""

    changes: Mapping[str, str | None]
    secret_keys: frozenset[str] = frozenset()
    title: str = "Update the node settings file"

    def describe(self) -> str:
        shown = ", ".join(
            f"{k}={'(removed)' if v is None else ('********' if k in self.secret_keys else repr(v))}"
            for k, v in self.changes.items()
        )
        return f"{self.title} {DEFAULTS_PATH}: {shown}"

    def touches(self) -> Sequence[str]:
        return (DEFAULTS_PATH,)

    def preview(self, ctx: Context) -> Mapping[str, str | None]:
        for key, value in self.changes.items():
            ctx.defaults.set(key, value)
        return {DEFAULTS_PATH: ctx.aug.render(DEFAULTS_PATH)}

    def apply(self, ctx: Context, run: StepRun) -> None:
        for key, value in self.changes.items():
            ctx.defaults.set(key, value)
        ctx.root(DEFAULTS_PATH).parent.mkdir(parents=True, exist_ok=True)
        ctx.defaults.save()


@dataclass(frozen=True)
class AugeasEdit(Step):
    """Edit one file through its lens; `edit` changes the tree, then the file is saved."""

    title: str
    file: LensFile
    edit: Callable[[Augeas], None]

    def describe(self) -> str:
        return f"{self.title} ({self.file.path})"

    def touches(self) -> Sequence[str]:
        return (self.file.path,)

    def preview(self, ctx: Context) -> Mapping[str, str | None]:
        self.edit(ctx.aug)
        return {self.file.path: ctx.aug.render(self.file.path)}

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.root(self.file.path).parent.mkdir(parents=True, exist_ok=True)
        self.edit(ctx.aug)
        ctx.aug.save()


@dataclass(frozen=True)
class WriteFile(Step):
    """Replace a file atomically, keeping the mode and owner it had (or `mode` if new).

    A persisted file is a bind mount and cannot be renamed over: then it is written in place.
    """

    path: str
    content: str
    mode: int = 0o644
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Write {self.path}")

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def preview(self, ctx: Context) -> Mapping[str, str | None]:
        return {self.path: self.content}

    def apply(self, ctx: Context, run: StepRun) -> None:
        write_file_atomic(ctx.root(self.path), self.content.encode(), self.mode)


def write_file_atomic(target: Path, data: bytes, mode: int = 0o644, owner: tuple[int, int] | None = None) -> None:
    """Write by rename, keeping the old file's mode, owner and extended attributes (SELinux
    label); a file with other hard links is written in place, so that every name sees it.
    `owner` (uid, gid) is for a new file; an existing one keeps its own."""
    target.parent.mkdir(parents=True, exist_ok=True)
    uid, gid = owner or (os.getuid(), os.getgid())
    xattrs: dict[str, bytes] = {}
    if target.exists():
        st = target.stat()
        mode, uid, gid = st.st_mode & 0o7777, st.st_uid, st.st_gid
        if st.st_nlink > 1 and stat.S_ISREG(st.st_mode):
            _write_in_place(target, data)
            return
        xattrs = read_xattrs(target)
    # Beside the target with our prefix: a run killed here leaves it where the next one looks.
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.chown(tmp, uid, gid)
        copy_xattrs(xattrs, tmp)
        try:
            os.replace(tmp, target)
        except OSError as exc:
            if exc.errno not in (errno.EBUSY, errno.EXDEV, errno.EPERM):
                raise
            _write_in_place(target, data)  # bind-mounted: write through the mount
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_in_place(target: Path, data: bytes) -> None:
    with open(target, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


@dataclass(frozen=True)
class RunCommand(Step):
    """Run a command. `runtime` commands act on the live node and follow the bus rule."""

    title: str
    argv: Sequence[str]
    secrets: Sequence[str] = ()
    stdin: str | None = None
    runtime: bool = False
    files: Sequence[str] = field(default_factory=tuple)

    def describe(self) -> str:
        shown = [a if a not in self.secrets else "********" for a in self.argv]
        return f"{self.title}: {' '.join(shown)}"

    def touches(self) -> Sequence[str]:
        return self.files

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason() if self.runtime else None

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.runner(self.argv, input=self.stdin, secrets=self.secrets)


@dataclass(frozen=True)
class RestartUnit(Step):
    """Restart a systemd unit over D-Bus and wait for its job to finish."""

    unit: str
    title: str = ""
    #: Only a running unit is restarted (a helper daemon that some nodes do not run, e.g.
    #: rpc.idmapd, needed by NFS servers only: it reads the file when it starts).
    if_running: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        self._default_title(f"Restart {self.unit}")

    def skip_reason(self, ctx: Context) -> str | None:
        reason = ctx.runtime_skip_reason()
        if reason is None and self.if_running and ctx.systemd.unit_active_state(self.unit) != "active":
            return f"{self.unit} is not running; it reads the new setting when it starts"
        return reason

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.systemd.restart_unit(self.unit)
        # Running on the new files now: a rollback restores them, then restarts it again.
        run.once_restored(f"restart {self.unit} on the restored files", lambda: ctx.systemd.restart_unit(self.unit))


@dataclass(frozen=True)
class PersistPath(Step):
    """Keep a written path across reboots by copying it to /config and bind-mounting it."""

    path: str
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Persist {self.path}")

    def skip_reason(self, ctx: Context) -> str | None:
        if not ctx.store.enabled():
            return "/config is not mounted"
        return None

    def apply(self, ctx: Context, run: StepRun) -> None:
        result = ctx.store.persist(self.path)
        if str(getattr(result, "value", result)) == "persisted":  # only what this run persisted
            run.on_rollback(lambda: ctx.store.unpersist(self.path))


@dataclass(frozen=True)
class StopUnit(Step):
    """Stop a systemd unit over D-Bus (a service being turned off, or one that must not run
    while its files are rewritten). Unlike RestartUnit it stays where the plan puts it."""

    unit: str
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Stop {self.unit}")

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason()

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.systemd.stop_unit(self.unit)


#: Where unit files live, in systemd's order of precedence.
UNIT_DIRS = ("/etc/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system")


def wants_link(ctx: Context, unit: str) -> str:
    """The `.wants` symlink that enables `unit` at boot, for the target its [Install] names
    (WantedBy=, multi-user.target when the unit file is absent or says nothing)."""
    target = "multi-user.target"
    for directory in UNIT_DIRS[1:]:
        path = ctx.root(f"{directory}/{unit}")
        if path.is_file():
            for line in path.read_text(errors="replace").splitlines():
                key, _, value = line.partition("=")
                if key.strip() == "WantedBy" and value.split():
                    target = value.split()[0]
                    break
            break
    return f"/etc/systemd/system/{target}.wants/{unit}"


def unit_enabled(ctx: Context, unit: str) -> bool:
    """Whether `unit` starts at boot: its `.wants` link exists (as `systemctl enable` makes it)."""
    return ctx.root(wants_link(ctx, unit), follow=False).is_symlink()


@dataclass(frozen=True)
class EnableUnit(Step):
    """Enable (or disable) a unit at boot as `systemctl enable` does, by its `.wants` symlink,
    and keep that across reboots: the link is persisted (or unpersisted) when /config is
    mounted. Works under a root prefix with no systemd to ask; undone on rollback."""

    unit: str
    enable: bool = True
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"{'Enable' if self.enable else 'Disable'} {self.unit} at boot")

    def skip_reason(self, ctx: Context) -> str | None:
        return None if self.enable != unit_enabled(ctx, self.unit) else "already so"

    def backs_up(self, ctx: Context) -> Sequence[str]:
        # The link and the `.wants` folder it may create: rollback (or the next run's
        # recovery after a kill) removes both. Not in touches(): this step persists it.
        return (wants_link(ctx, self.unit),)

    def apply(self, ctx: Context, run: StepRun) -> None:
        link_path = wants_link(ctx, self.unit)
        link = ctx.root(link_path, follow=False)  # it points into the node's /usr, not the prefix
        unit_file = next((f"{d}/{self.unit}" for d in UNIT_DIRS[1:] if ctx.root(f"{d}/{self.unit}").exists()),
                         f"{UNIT_DIRS[1]}/{self.unit}")
        persisting = ctx.store.enabled()
        if self.enable:
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(unit_file)
            run.on_rollback(link.unlink)
            if persisting:
                ctx.store.persist(link_path)
                run.on_rollback(lambda: ctx.store.unpersist(link_path))
            return
        if persisting and ctx.store.is_persisted(link_path):
            ctx.store.unpersist(link_path)
            run.on_rollback(lambda: ctx.store.persist(link_path))
        old = os.readlink(link)
        link.unlink()
        run.on_rollback(lambda: link.symlink_to(old))
