"""Fixtures shared by the engine tests: a node tree to work on, and snapshots of it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.core.resources import copy_demo_root, demo_root

REPO = Path(__file__).resolve().parents[1]
#: The shipped demo root: read only (copy it with copy_demo_root, which adds its symlinks).
DEMO_ROOT = demo_root()

Snapshot = dict[str, tuple[str, int, int, int]]


@pytest.fixture
def node_root(tmp_path: Path) -> Path:
    """A fresh copy of the demo node tree."""
    return copy_demo_root(tmp_path / "root")


def snapshot(root: Path) -> Snapshot:
    """Every file under the root (except /run, where the lock lives): hash, mode, owner."""
    result: Snapshot = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts[:1] == ("run",):
            continue
        for name in filenames:
            path = Path(dirpath) / name
            st = path.lstat()
            # A symlink is its target (a unit's boot link points outside the tree, into the node's /usr).
            if path.is_symlink():
                data = os.readlink(path).encode()
            elif not stat.S_ISREG(st.st_mode):  # a FIFO a test put there: reading it would hang
                data = f"special {stat.S_IFMT(st.st_mode)}".encode()
            else:
                data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            result["/" + str(rel_dir / name).lstrip("./")] = (digest, st.st_mode, st.st_uid, st.st_gid)
        for name in dirnames:
            if not (rel_dir / name).parts[:1] == ("run",):
                result["/" + str(rel_dir / name).lstrip("./") + "/"] = ("dir", 0, 0, 0)
    return result


def changed_paths(before: Snapshot, after: Snapshot) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def run_config(*args: str, check: bool = False, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The real `ovirt-node-config` in a fresh process (`stdin`: what it reads there)."""
    return subprocess.run(
        [sys.executable, "-m", "ovirt_node.cli.config", *args],
        capture_output=True, text=True, check=check, cwd=REPO, input=stdin,
    )


def config_in_process(*args: str) -> tuple[int, str]:
    """`ovirt-node-config ARGS` in this process (fast enough for hypothesis), its output
    swallowed: the exit code and what it said on stderr."""
    from ovirt_node.cli.config import main

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(list(args))
    return code, err.getvalue()
