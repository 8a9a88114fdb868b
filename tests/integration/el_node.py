"""An EL-family node tree (the demo root with EL files over it) and golden-file checks,
shared by the kdump and remote storage tests."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

HERE = Path(__file__).parent
EL_FILES = HERE / "el-root"
GOLDEN = HERE / "golden"


def make_el_root(root: Path) -> Path:
    """Turn a copy of the demo root into an EL node: os-release, kdump.conf, idmapd.conf,
    initiatorname.iscsi, collectd.conf and kdump.service (enabled) as CentOS Stream 9 ships them, and no
    Debian kdump-tools file."""
    shutil.copytree(EL_FILES, root, symlinks=True, dirs_exist_ok=True)
    (root / "etc/default/kdump-tools").unlink()
    return root


def assert_golden(actual: Path, name: str) -> None:
    """`actual` must equal golden/<name> byte for byte. OVIRT_NODE_UPDATE_GOLDEN=1 rewrites
    the golden file instead (then review the diff before committing it)."""
    golden = GOLDEN / name
    data = actual.read_text()
    if os.environ.get("OVIRT_NODE_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(data)
    expected = golden.read_text()
    if data != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), data.splitlines(True), str(golden), str(actual)))
        raise AssertionError(f"{actual} differs from {golden}:\n{diff}")
