"""Fixtures of the terminal tests: a private tmux server at 80x24 and a demo node tree."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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
