"""Fixtures of the terminal tests: a private tmux server at 80x24, a demo node tree, and the
demo node as `make demo` runs it (the tree plus its private D-Bus with the mocks)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.demo.bus import MockBusUnavailable
from ovirt_node.demo.node import DemoNode, demo_node
from tests.node_fixtures import DEMO_ROOT
from tests.terminal.tmux import Tmux


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    session = Tmux(80, 24)
    yield session
    session.close()


@pytest.fixture
def demo_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    shutil.copytree(DEMO_ROOT, root, symlinks=True)
    return root


@pytest.fixture
def demo() -> Iterator[DemoNode]:
    try:
        with demo_node() as node:
            yield node
    except MockBusUnavailable as exc:
        pytest.skip(str(exc))
