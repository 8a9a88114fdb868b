"""Transactions: a change to the node as a list of titled steps, applied in order.

Every step can describe itself (for dry runs and the plan view), apply, and roll back.
Before a step runs, the transaction backs up every file the step says it touches (content,
mode, owner, or absence); when a later step fails, the steps already applied are rolled
back in reverse order and each backed-up file is restored byte for byte, in place (so a
bind-mounted, persisted file keeps its mount). Only one transaction runs at a time per
root: the lock is an flock on `/run/ovirt-node/transaction.lock` under the root.

A plan is immutable once made: steps are frozen, and whatever a run learns (what to undo, a
NetworkManager checkpoint) lives in the `StepRun` the run hands each step, so the same
Transaction can run again from a clean state. Progress and the operator's confirmation are
arguments of `Transaction.run`, not parts of the plan.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovirt_node.core.context import Context

log = logging.getLogger(__name__)

LOCK_PATH = "/run/ovirt-node/transaction.lock"


class StepState(Enum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    SKIPPED = "skipped"
    FAILED = "failed"
    ROLLED_BACK = "rolled back"


@dataclass(frozen=True)
class Progress:
    """One progress event: step `index` of `total` changed to `state`."""

    index: int
    total: int
    title: str
    state: StepState
    detail: str = ""
    #: How far a long step (an image copy) has come, 0.0 to 1.0, when it says.
    fraction: float | None = None

    def __str__(self) -> str:
        text = f"({self.index}/{self.total}) {self.title}: {self.state.value}"
        return f"{text} ({self.detail})" if self.detail else text


ProgressCallback = Callable[[Progress], None]


def failure_text(exc: BaseException) -> str:
    """An exception as a person reads it. Some say nothing (StopIteration, KeyError(''),
    an assert): then its type and where it was raised, so the report is never empty."""
    text = str(exc).strip()
    if text:
        return text
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return f"{type(exc).__name__} (no message)"
    last = frames[-1]
    return f"{type(exc).__name__} (no message) in {last.name}(), {Path(last.filename).name} line {last.lineno}"


class TransactionError(RuntimeError):
    """A step failed; the transaction was rolled back. `reason` is the cause as shown."""

    def __init__(self, step: str, cause: BaseException, rollback_errors: Sequence[str] = ()) -> None:
        self.step = step
        self.cause = cause
        self.reason = failure_text(cause)
        self.rollback_errors = list(rollback_errors)
        text = f"{step} failed: {self.reason}"
        if self.rollback_errors:
            text += "; rollback was incomplete: " + "; ".join(self.rollback_errors)
        else:
            text += "; all changes were rolled back"
        super().__init__(text)


class TransactionLocked(RuntimeError):
    """Another transaction holds the lock."""


@dataclass(frozen=True)
class Confirmation:
    """What a run asks the operator once a step's change is live (a network change that may
    cut them off): `ask(timeout)` returns True to keep it; False when the operator declines
    it, None when no answer came within `timeout` seconds (which `ask` enforces); both roll
    the transaction back, and the message says which it was."""

    ask: Callable[[int], bool | None]
    timeout: int


class StepRun:
    """What one run of a step gets from its transaction: where to report progress, the
    operator's confirmation, and the record of what its rollback must undo. The run keeps it,
    so the planned step never changes and the plan can run again from a clean state."""

    def __init__(self, report: Callable[[str, float | None], None],
                 confirmation: Confirmation | None = None) -> None:
        self._report = report
        self.confirmation = confirmation
        self._undo: list[Callable[[], object]] = []

    def report(self, detail: str, fraction: float | None = None) -> None:
        """Progress inside a running step (shown by the TUI's progress page, printed by CLIs)."""
        self._report(detail, fraction)

    def on_rollback(self, undo: Callable[[], object]) -> Callable[[], object]:
        """Record how to undo an effect just made (not a file: those are backed up); the
        actions run last first if the transaction rolls back. Returns `undo` for `cancel`."""
        self._undo.append(undo)
        return undo

    def cancel(self, undo: Callable[[], object]) -> None:
        """Drop a recorded action: the effect was made final (a confirmed checkpoint is gone)."""
        self._undo.remove(undo)

    def undo(self) -> None:
        """Run the recorded actions, last first; each runs at most once."""
        while self._undo:
            self._undo.pop()()


class Step:
    """A unit of change. Subclasses are frozen dataclasses that set `title` and implement
    `apply`; a planned step is never written to (what a run learns goes into its StepRun).

    `touches()` names the node files the step may write; the transaction backs them up.
    Other effects are undone by what `apply` records with `run.on_rollback()`, or by
    `rollback()`, called after those (the transaction restores files).
    A step whose `skip_reason()` is not None is shown but not applied (e.g. a unit restart
    under a root prefix without a D-Bus to perform it on).
    """

    title: str

    def _default_title(self, title: str) -> None:
        """Set the title when the plan gave none (from a frozen dataclass's __post_init__)."""
        if not self.title:
            object.__setattr__(self, "title", title)

    def describe(self) -> str:
        return self.title

    def touches(self) -> Sequence[str]:
        return ()

    def skip_reason(self, ctx: Context) -> str | None:
        return None

    def apply(self, ctx: Context, run: StepRun) -> None:
        raise NotImplementedError

    def rollback(self, ctx: Context, run: StepRun) -> None:
        """Undo non-file effects that `apply` did not record with `run.on_rollback()`."""


@dataclass
class FileBackup:
    """What a file was before a step ran: its bytes and metadata, or that it was absent."""

    path: Path
    content: bytes | None
    mode: int = 0
    uid: int = 0
    gid: int = 0
    created_dirs: list[Path] = field(default_factory=list)

    @classmethod
    def take(cls, path: Path) -> FileBackup:
        if not path.exists() and not path.is_symlink():
            missing = []
            parent = path.parent
            while not parent.exists():
                missing.append(parent)
                parent = parent.parent
            return cls(path, None, created_dirs=missing)
        st = path.stat()
        return cls(path, path.read_bytes(), st.st_mode & 0o7777, st.st_uid, st.st_gid)

    def restore(self) -> None:
        if self.content is None:
            if self.path.exists() or self.path.is_symlink():
                self.path.unlink()
            for directory in self.created_dirs:  # deepest first, as recorded
                if directory.exists() and not any(directory.iterdir()):
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


@dataclass(frozen=True, init=False)
class Transaction:
    """A titled, immutable plan: its steps are a tuple, and running it changes none of them."""

    title: str
    steps: tuple[Step, ...]

    def __init__(self, title: str, steps: Iterable[Step] = ()) -> None:
        object.__setattr__(self, "title", title)
        object.__setattr__(self, "steps", tuple(steps))

    def describe(self, ctx: Context) -> list[str]:
        """The plan, one line per step, marking steps that would be skipped and why."""
        lines = []
        for i, step in enumerate(self.steps, 1):
            reason = step.skip_reason(ctx)
            suffix = f"  [skipped: {reason}]" if reason else ""
            lines.append(f"({i}/{len(self.steps)}) {step.describe()}{suffix}")
        return lines

    def run(self, ctx: Context, progress: ProgressCallback | None = None, *,
            confirm: Confirmation | None = None) -> None:
        """Apply every step under the lock; on failure roll back and raise TransactionError.
        `progress` gets every event; `confirm` is asked by a step whose change is live and
        must be kept by the operator (network activation); without it nothing is asked."""
        notify = progress or (lambda _p: None)
        total = len(self.steps)
        applied: list[tuple[int, Step, StepRun, list[FileBackup]]] = []
        with transaction_lock(ctx.root(LOCK_PATH)):
            log.info("transaction %r: %d steps", self.title, total)
            for i, step in enumerate(self.steps, 1):
                reason = step.skip_reason(ctx)
                if reason:
                    log.info("(%d/%d) %s: skipped (%s)", i, total, step.title, reason)
                    notify(Progress(i, total, step.title, StepState.SKIPPED, reason))
                    continue
                notify(Progress(i, total, step.title, StepState.RUNNING))
                backups = [FileBackup.take(ctx.root(p)) for p in step.touches()]
                run = StepRun(_reporter(notify, i, total, step.title), confirm)  # fresh each run
                applied.append((i, step, run, backups))
                try:
                    step.apply(ctx, run)
                except Exception as exc:
                    log.error("(%d/%d) %s failed: %s", i, total, step.title, failure_text(exc))
                    notify(Progress(i, total, step.title, StepState.FAILED, failure_text(exc)))
                    errors = self._rollback(ctx, applied, total, notify)
                    raise TransactionError(step.title, exc, errors) from exc
                log.info("(%d/%d) %s: done", i, total, step.title)
                notify(Progress(i, total, step.title, StepState.DONE))

    @staticmethod
    def _rollback(
        ctx: Context,
        applied: list[tuple[int, Step, StepRun, list[FileBackup]]],
        total: int,
        notify: ProgressCallback,
    ) -> list[str]:
        errors: list[str] = []
        for i, step, run, backups in reversed(applied):
            try:
                run.undo()
                step.rollback(ctx, run)
                for backup in reversed(backups):
                    backup.restore()
            except Exception as exc:  # keep rolling back the rest; report what failed
                log.error("rollback of %s failed: %s", step.title, failure_text(exc))
                errors.append(f"{step.title}: {failure_text(exc)}")
                continue
            notify(Progress(i, total, step.title, StepState.ROLLED_BACK))
        ctx.reload()
        return errors


def _reporter(notify: ProgressCallback, index: int, total: int, title: str) -> Callable[[str, float | None], None]:
    """Where a running step's `run.report` goes: a RUNNING event with its detail."""
    return lambda detail, fraction: notify(Progress(index, total, title, StepState.RUNNING, detail, fraction))


@contextmanager
def transaction_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking flock; a second holder gets TransactionLocked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            raise TransactionLocked(
                f"another configuration change is in progress (pid {holder}); try again when it has finished"
            ) from exc
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
