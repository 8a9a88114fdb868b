"""`ovirt-node-image edit --add-file SRC:DEST`: the argument checked before anything is
unpacked, and the file put into the unpacked root (replacing a symlink, never leaving the root)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.image.edit import EditError, parse_added_file, put_file


def merged_usr_root(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    (root / "usr/sbin").mkdir(parents=True)
    (root / "usr/lib/systemd").mkdir(parents=True)
    (root / "usr/lib/systemd/systemd").write_text("the real init")
    (root / "sbin").symlink_to("usr/sbin")
    (root / "usr/sbin/init").symlink_to("../lib/systemd/systemd")
    return root


def test_a_file_replaces_a_symlink_not_its_target(tmp_path: Path) -> None:
    root = merged_usr_root(tmp_path)
    src = tmp_path / "init"
    src.write_text("#!/bin/sh\nexit 1\n")
    src.chmod(0o755)
    put_file(root, src, "/sbin/init")
    init = root / "usr/sbin/init"
    assert not init.is_symlink() and init.read_text() == "#!/bin/sh\nexit 1\n" and os.access(init, os.X_OK)
    assert (root / "usr/lib/systemd/systemd").read_text() == "the real init"
    put_file(root, src, "/usr/lib/ovirt-node/health.d/60-local")  # new directories are made
    assert (root / "usr/lib/ovirt-node/health.d/60-local").is_file()


def test_a_path_leading_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = merged_usr_root(tmp_path)
    (root / "etc").symlink_to(tmp_path / "host-etc")
    (tmp_path / "host-etc").mkdir()
    src = tmp_path / "x"
    src.write_text("x")
    with pytest.raises(EditError, match="--add-file /etc/passwd: "):
        put_file(root, src, "/etc/passwd")
    assert list((tmp_path / "host-etc").iterdir()) == []


@pytest.mark.parametrize(("spec", "message"), [
    ("{src}", "expected SRC:/absolute/path/in/the/image"),
    ("{src}:relative/path", "expected SRC:/absolute/path/in/the/image"),
    ("{src}:/", "expected SRC:/absolute/path/in/the/image"),
    ("{missing}:/etc/x", "is not a file"),
])
def test_bad_add_file_arguments_are_refused(tmp_path: Path, spec: str, message: str) -> None:
    src = tmp_path / "src"
    src.write_text("x")
    with pytest.raises(EditError, match=message):
        parse_added_file(spec.format(src=src, missing=tmp_path / "missing"))


def test_edit_refuses_bad_arguments_before_reading_the_image(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "ovirt_node.cli.image", "edit", str(tmp_path / "no-image"),
                           "--add-file", "nothing-here:/etc/x", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and "--add-file 'nothing-here:/etc/x': nothing-here is not a file" in done.stderr
    assert not out.exists()
    done = subprocess.run([sys.executable, "-m", "ovirt_node.cli.image", "edit", str(tmp_path / "no-image"),
                           "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and "nothing to change" in done.stderr and not out.exists()
