"""An engine context that several threads may share.

The TUI reads the engine from the main loop (forms), from page workers (status values,
table rows) and from the transaction thread at once. libaugeas is not thread-safe, and
python-augeas releases the GIL around its C calls, so one Augeas handle used from two threads
can corrupt its tree. `ThreadSafeContext` gives the engine a handle whose every libaugeas
call holds one lock. Calls are short, so the main loop is never held up for long.

(This belongs with `ovirt_node.config.context` eventually; it lives here because only the
TUI shares a context between threads.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from ovirt_node.config.aug import Augeas, LensFile
from ovirt_node.config.context import Context
from ovirt_node.system.root import Root


class _Serialized:
    """Forwards attribute access to `inner`; calls run under `lock`."""

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


class SerializedAugeas(Augeas):
    """An Augeas handle whose libaugeas calls are serialised; `lock` also lets a caller keep
    a sequence of calls together."""

    def __init__(self, root: Root, files: Iterable[LensFile]) -> None:
        self.lock = threading.RLock()
        with self.lock:
            super().__init__(root, files)
        self._aug = _Serialized(self._aug, self.lock)

    def add(self, files: Iterable[LensFile]) -> None:
        with self.lock:  # the transforms and the reload belong together
            super().add(files)

    def locked(self, action: Callable[[], Any]) -> Any:
        with self.lock:
            return action()


class ThreadSafeContext(Context):
    """A Context whose Augeas handle may be used from several threads."""

    @cached_property
    def aug(self) -> Augeas:
        return SerializedAugeas(self.root, self.lens_files)
