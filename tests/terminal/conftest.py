"""Fixtures of the terminal tests: a private tmux server at 80x24, a demo node tree, and the
demo node as `make demo` runs it (the tree plus its private D-Bus with the mocks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ovirt_node.core.resources import copy_demo_root
from ovirt_node.demo.bus import MockBusUnavailable
from ovirt_node.demo.node import DemoNode, demo_node
from tests.terminal.tmux import Tmux


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    session = Tmux(80, 24)
    yield session
    session.close()


@pytest.fixture
def demo_root(tmp_path: Path) -> Path:
    return copy_demo_root(tmp_path / "root")


@pytest.fixture
def demo() -> Iterator[DemoNode]:
    try:
        with demo_node() as node:
            yield node
    except MockBusUnavailable as exc:
        pytest.skip(str(exc))
