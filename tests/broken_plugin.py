"""A plugin that raises on import, installed the way pip installs one (a module plus its
.dist-info with the entry point), in a folder a test puts on sys.path or PYTHONPATH."""

from __future__ import annotations

from pathlib import Path

MODULE = "ovirt_node_broken_demo"
DIST = "ovirt-node-broken-demo"
ERROR = "RuntimeError: this plugin fails on purpose (ovirt_node_broken_demo.py, line 3)"


def install_broken_plugin(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{MODULE}.py").write_text(
        '"""Fails as it is imported."""\n\nraise RuntimeError("this plugin fails on purpose")\n')
    info = folder / f"{MODULE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {DIST}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[ovirt_node.plugins]\nbroken = {MODULE}:plugin\n")
    return folder
