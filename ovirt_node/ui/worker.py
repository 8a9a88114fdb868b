"""Work off the main loop, results back on it.

Only the main loop may touch widgets (DESIGN.md, "The UI never blocks"), so a worker thread
never calls back directly: it posts a callable to a `Dispatcher`, and the loop's dispatcher
runs it from the event loop (through a pipe the loop watches). Tests use `Immediate`, which
runs everything in the caller's thread, so a page can be exercised without threads.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import urwid

log = logging.getLogger(__name__)

Work = Callable[[], object]
Done = Callable[[object], None]


class Dispatcher(Protocol):
    def post(self, callback: Callable[[], None]) -> None:
        """Run `callback` on the main loop; safe to call from any thread."""


class Immediate:
    """Runs posted callbacks at once, in the calling thread (tests, and before the loop runs)."""

    def post(self, callback: Callable[[], None]) -> None:
        callback()


class LoopDispatcher:
    """Posts callbacks into an urwid MainLoop through `watch_pipe`: the writer only ever puts
    a byte in the pipe; the loop drains a queue of callables when it sees it (a deque, whose
    append and popleft are atomic: the queue module is not needed before the first screen)."""

    def __init__(self, loop: urwid.MainLoop) -> None:
        self._queue: deque[Callable[[], None]] = deque()
        self._fd: int | None = loop.watch_pipe(self._drain)

    def post(self, callback: Callable[[], None]) -> None:
        self._queue.append(callback)
        fd = self._fd
        if fd is not None:
            try:
                os.write(fd, b"!")
            except OSError:  # closed while shutting down: nobody is left to run it
                log.debug("dispatcher closed; dropped a callback")

    def run_posted(self) -> None:
        """Run what is posted so far, now, in the caller's thread (the main loop's, before
        the loop runs)."""
        self._drain(b"")

    def _drain(self, _data: bytes) -> bool:
        while True:
            try:
                callback = self._queue.popleft()
            except IndexError:
                return True
            try:
                callback()
            except Exception:  # one failing callback must not stop the loop or the others
                log.exception("callback on the main loop failed")

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)


def _outcome(work: Work, name: str) -> object:
    """What `work` returns, or the exception it raised (logged)."""
    try:
        return work()
    except Exception as exc:
        log.exception("worker %s failed", name)
        return exc


def start_worker(work: Work, done: Done, dispatcher: Dispatcher, name: str = "ovirt-node-worker") -> threading.Thread:
    """Run `work` in a daemon thread; `done` gets its result, or the exception it raised,
    on the main loop."""

    def body() -> None:
        result = _outcome(work, name)
        dispatcher.post(lambda: done(result))

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread


class Lanes:
    """Runs (work, done) pairs in order on one daemon thread, each `done` posted as its work
    ends; when a work has run `stall` seconds with others still waiting, another thread takes
    the rest beside it, so a slow one (libvirt on a busy node) delays no other for long.

    For the first screen's values: a thread per value cost the start twice the values' own
    time (each thread started hands the GIL over and back); one thread runs them in a third."""

    def __init__(self, jobs: list[tuple[Work, Done]], dispatcher: Dispatcher, stall: float = 0.03,
                 name: str = "ovirt-node-worker") -> None:
        self._jobs = deque(jobs)
        self._total = len(jobs)
        self._finished = 0
        self._changed = threading.Condition()
        self._dispatcher = dispatcher
        self._stall = stall
        self._name = name
        self.threads: list[threading.Thread] = []
        if self._jobs:
            self._add_lane()

    def _add_lane(self) -> None:
        thread = threading.Thread(target=self._lane, name=self._name, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _lane(self) -> None:
        while True:
            try:
                work, done = self._jobs.popleft()
            except IndexError:
                return
            result = _outcome(work, self._name)
            self._dispatcher.post(lambda done=done, result=result: done(result))  # type: ignore[misc]
            with self._changed:
                self._finished += 1
                self._changed.notify_all()

    def wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every work to end (True when they did), adding a
        lane whenever none ended for `stall` seconds while some wait."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self._finished < self._total:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                before = self._finished
                self._changed.wait(min(self._stall, left))
                if self._finished == before and self._jobs:
                    self._add_lane()
            return True


class Manual:
    """Keeps posted callbacks until `run_pending()`: a main loop stand-in for tests that
    need real worker threads but want to say when the "main loop" runs."""

    def __init__(self) -> None:
        import queue  # tests only

        self._empty = queue.Empty
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def post(self, callback: Callable[[], None]) -> None:
        self._queue.put(callback)

    def run_pending(self, wait: float = 0.0) -> int:
        """Run what is queued; with `wait`, first wait up to that long for something to arrive."""
        count = 0
        try:
            callback = self._queue.get(timeout=wait) if wait else self._queue.get_nowait()
        except self._empty:
            return 0
        while True:
            callback()
            count += 1
            try:
                callback = self._queue.get_nowait()
            except self._empty:
                return count
