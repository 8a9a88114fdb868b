"""Work that several VM tests share, done once per run even when pytest-xdist runs the tests
in two processes: the first to ask does it under a file lock, the others wait and read its
result (a failure too, so a failed install is reported by each test that needed it, not
retried by each)."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every worker of this run sees (xdist gives each its own basetemp below one)."""
    base = tmp_path_factory.getbasetemp()
    path = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "vm-shared"
    path.mkdir(exist_ok=True)
    return path


@contextmanager
def locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def once(directory: Path, name: str, produce: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """`produce()`'s result (JSON-able), computed by the first caller of this run."""
    result = directory / f"{name}.json"
    with locked(directory / f"{name}.lock"):
        if not result.exists():
            try:
                value: dict[str, Any] = {"ok": produce()}
            except BaseException as exc:
                value = {"failed": f"{type(exc).__name__}: {exc}"}
                result.write_text(json.dumps(value))
                raise
            result.write_text(json.dumps(value))
    value = json.loads(result.read_text())
    if "failed" in value:
        pytest.fail(f"{name} failed in another test of this run: {value['failed']}", pytrace=False)
    ok: dict[str, Any] = value["ok"]
    return ok
