"""Fixtures of the engine's integration tests: the node image's own root (tests/integration/node_root.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.node_root import NodeTree, image_root


@pytest.fixture(scope="session")
def node_image_root() -> Path:
    """The unpacked root of the image this checkout builds (built once per run when not cached)."""
    return image_root()


@pytest.fixture
def node_tree(node_image_root: Path, tmp_path: Path) -> Iterator[NodeTree]:
    """A writable view of the node image's root for one test."""
    tree = NodeTree(node_image_root, tmp_path / "node-tree")
    try:
        yield tree
    finally:
        tree.close()
