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
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from ovirt_node.core.explain import cause
from ovirt_node.core.journal import FileBackup, Journal, recover_interrupted, remove_temp_files
from ovirt_node.core.root import NotARegularFile as NotARegularFile  # raised by run(); callers import it here
from ovirt_node.core.runstate import LOCK_PATH as LOCK_PATH
from ovirt_node.core.signals import Interrupted, SignalGuard

if TYPE_CHECKING:
    from ovirt_node.core.context import Context

log = logging.getLogger(__name__)


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
    return cause(exc)


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
        self.after_restore: list[tuple[str, Callable[[], object]]] = []

    def report(self, detail: str, fraction: float | None = None) -> None:
        """Progress inside a running step (shown by the TUI's progress page, printed by CLIs)."""
        self._report(detail, fraction)

    def on_rollback(self, undo: Callable[[], object]) -> Callable[[], object]:
        """Record how to undo an effect just made (not a file: those are backed up); the
        actions run last first if the transaction rolls back. Returns `undo` for `cancel`."""
        self._undo.append(undo)
        return undo

    def once_restored(self, what: str, action: Callable[[], object]) -> None:
        """Record what must happen again once every file is back if the transaction rolls
        back: a daemon restarted on the new files is restarted on the old ones (`what` names
        it in the report when that fails)."""
        self.after_restore.append((what, action))

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

    def needs_mounted(self) -> Sequence[str]:
        """Mount points (`noauto` fstab lines: the ESP) holding files this step writes: the
        transaction mounts them, when they are not, before it takes its backups, and unmounts
        those it mounted once it is done, applied or rolled back."""
        return ()

    def backs_up(self, ctx: Context) -> Sequence[str]:
        """What the transaction backs up (and journals) for this step: `touches()`, plus what
        the step changes but does not persist as a written file (a unit's `.wants` link)."""
        return self.touches()

    def skip_reason(self, ctx: Context) -> str | None:
        return None

    def preview(self, ctx: Context) -> Mapping[str, str | None] | None:
        """The text each file the step writes would then hold (None: removed), worked out
        without writing anything (`--check --diff`); None when only doing it would tell (a
        command, a tool). A step that edits the Augeas tree leaves its edit in the tree."""
        return None

    def apply(self, ctx: Context, run: StepRun) -> None:
        raise NotImplementedError

    def rollback(self, ctx: Context, run: StepRun) -> None:
        """Undo non-file effects that `apply` did not record with `run.on_rollback()`."""


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
            confirm: Confirmation | None = None, wait: float = 0.0) -> None:
        """Apply every step under the lock; on failure roll back and raise TransactionError.
        `progress` gets every event; `confirm` is asked by a step whose change is live and
        must be kept by the operator (network activation); without it nothing is asked.
        `wait`: seconds to wait for another change to finish (0: TransactionLocked at once).

        Before it runs, a transaction that was killed is rolled back (its journal). A FIFO,
        device or directory where a file is to be written raises NotARegularFile, before
        anything is written. Any exception, and SIGINT/SIGTERM/SIGHUP in the main thread,
        rolls back; a signal then raises Interrupted saying whether the change was undone."""
        with transaction_lock(ctx.root(LOCK_PATH), wait=wait):
            if recover_interrupted(ctx.root):
                ctx.reload()  # the handle may hold the half-applied files
            with SignalGuard() as guard, self._mounted(ctx):
                self._run_locked(ctx, progress or (lambda _p: None), confirm, guard)

    def _mounted(self, ctx: Context) -> ExitStack:
        """The steps' mount points mounted (`Step.needs_mounted`) until the stack is closed. A real
        runner, not the context's: a dry run reads those files too."""
        from ovirt_node.core.esp import esp_mounted
        from ovirt_node.core.run import Runner

        held = ExitStack()
        try:
            for point in dict.fromkeys(p for step in self.steps for p in step.needs_mounted()):
                held.enter_context(esp_mounted(ctx.root, Runner(), point))
        except BaseException:
            held.close()  # what was mounted before the one that failed
            raise
        return held

    def _run_locked(self, ctx: Context, notify: ProgressCallback, confirm: Confirmation | None,
                    guard: SignalGuard) -> None:
        total = len(self.steps)
        # Every file any step may touch, as it is now: taken (and refused) before any change.
        backups: dict[Path, FileBackup] = {}
        for step in self.steps:
            for node_path in step.backs_up(ctx):
                path = ctx.root(node_path, follow=False)  # the link itself, when it is one
                if path not in backups:
                    backups[path] = FileBackup.take(path, node_path, through_link=ctx.root.leads_inside(path))
        remove_temp_files(backups)  # a dead run's, beside the files this one writes
        journal = Journal(ctx.root)
        applied: list[tuple[int, Step, StepRun, list[FileBackup]]] = []
        current: tuple[int, Step] | None = None
        try:
            journal.begin(self.title, list(backups.values()))
            log.info("transaction %r: %d steps", self.title, total)
            for i, step in enumerate(self.steps, 1):
                reason = step.skip_reason(ctx)
                if reason:
                    log.info("(%d/%d) %s: skipped (%s)", i, total, step.title, reason)
                    notify(Progress(i, total, step.title, StepState.SKIPPED, reason))
                    continue
                notify(Progress(i, total, step.title, StepState.RUNNING))
                run = StepRun(_reporter(notify, i, total, step.title), confirm)  # fresh each run
                mine = [backups[real] for real in (ctx.root(p, follow=False) for p in step.backs_up(ctx))
                        if real in backups]
                applied.append((i, step, run, mine))
                current = (i, step)
                step.apply(ctx, run)
                current = None
                log.info("(%d/%d) %s: done", i, total, step.title)
                notify(Progress(i, total, step.title, StepState.DONE))
            guard.hold()  # applied: from here a signal no longer undoes it
            journal.end()
        except BaseException as exc:
            guard.hold()
            where = current[1].title if current else self.title
            if current is not None and not isinstance(exc, Interrupted):
                log.error("(%d/%d) %s failed: %s", current[0], total, where, failure_text(exc))
                notify(Progress(current[0], total, where, StepState.FAILED, failure_text(exc)))
            errors = self._rollback(ctx, applied, total, notify, list(backups.values()))
            journal.end()
            if isinstance(exc, Interrupted):
                raise Interrupted(exc.signum, f"interrupted by {signal.Signals(exc.signum).name} during "
                                  f"{where!r}; " + _undone(errors)) from None
            if isinstance(exc, Exception):
                raise TransactionError(where, exc, errors) from exc
            log.error("%s: %s; %s", where, type(exc).__name__, _undone(errors))
            raise
        if guard.pending is not None:
            raise Interrupted(guard.pending, f"interrupted by {signal.Signals(guard.pending).name} after "
                              f"{self.title!r} was complete; the change was kept")

    @staticmethod
    def _rollback(
        ctx: Context,
        applied: list[tuple[int, Step, StepRun, list[FileBackup]]],
        total: int,
        notify: ProgressCallback,
        every: Sequence[FileBackup] = (),
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
        for backup in reversed(every):  # what a step was cut short in: a no-op when unchanged
            try:
                backup.restore()
            except Exception as exc:
                errors.append(f"{backup.path}: {failure_text(exc)}")
        remove_temp_files(b.path for b in every)
        ctx.reload()
        for _i, _step, run, _backups in applied:  # the files are back: daemons take them up again
            for what, action in run.after_restore:
                try:
                    action()
                except Exception as exc:
                    log.error("%s after the rollback failed: %s", what, failure_text(exc))
                    errors.append(f"{what}: {failure_text(exc)}")
        return errors


def _undone(errors: Sequence[str]) -> str:
    if errors:
        return "rollback was incomplete: " + "; ".join(errors)
    return "all changes were rolled back"


def _reporter(notify: ProgressCallback, index: int, total: int, title: str) -> Callable[[str, float | None], None]:
    """Where a running step's `run.report` goes: a RUNNING event with its detail."""
    return lambda detail, fraction: notify(Progress(index, total, title, StepState.RUNNING, detail, fraction))


#: Lock files this process holds, per thread: a front door that locked before it read the node
#: runs its transaction under the same lock (flock would refuse a second descriptor).
_held: dict[Path, tuple[int, int]] = {}
_held_lock = threading.Lock()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def transaction_lock(path: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold an exclusive flock on `path`; another holder gets TransactionLocked at once, or
    after `wait` seconds. Re-entrant in one thread. The file is removed when released; one a
    dead process left (kill -9) is taken over, and the log says so."""
    me = threading.get_ident()
    with _held_lock:
        holder = _held.get(path)
        if holder is not None and holder[0] == me:
            _held[path] = (me, holder[1] + 1)
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _held_lock:
                _held[path] = (me, _held[path][1] - 1)
        return
    fd = _acquire(path, wait)
    try:
        previous = os.pread(fd, 32, 0).decode(errors="replace").strip()
        if previous.isdigit() and int(previous) != os.getpid() and not _alive(int(previous)):
            log.warning("took over the transaction lock of pid %s, which is no longer running", previous)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        with _held_lock:
            _held[path] = (me, 1)
        try:
            yield
        finally:
            with _held_lock:
                del _held[path]
            path.unlink(missing_ok=True)  # before the unlock: a waiter re-checks the file it locked
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(path: Path, wait: float) -> int:
    """An fd of `path` with the flock held, the file still being the one at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EACCES):
                os.close(fd)
                raise
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:g} s" if wait else ""
                raise TransactionLocked(
                    f"another change is in progress (pid {holder}){waited}; try again when it has finished"
                ) from exc
            time.sleep(0.05)
            continue
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # its holder removed it as it finished: lock the file at `path` now
