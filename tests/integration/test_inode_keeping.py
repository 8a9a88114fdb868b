"""Writes keep what belongs to the file's inode: extended attributes (an SELinux label in
`security.selinux`, a `user.*` attribute) survive Augeas's and our own write by rename, and a
file with another hard link is changed under every name (same inode, link count kept), for
`set` through the real CLI and for a WriteFile step, also when a later step fails and the
change is rolled back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.steps import RunCommand, WriteFile
from ovirt_node.core.transaction import Transaction, TransactionError
from tests.node_fixtures import run_config

LABEL = b"system_u:object_r:sshd_key_t:s0\x00"
FILES = ("etc/ssh/sshd_config", "etc/default/ovirt")


def mark(path: Path) -> Path:
    """Give `path` a label, a user attribute and a second name; returns the second name."""
    os.setxattr(path, "security.selinux", LABEL)
    os.setxattr(path, "user.origin", b"image")
    other = path.with_name(path.name + ".hardlink")
    os.link(path, other)
    return other


def assert_kept(path: Path, other: Path, inode: int) -> None:
    st = path.stat()
    assert (st.st_ino, st.st_nlink) == (inode, 2), path
    assert other.read_bytes() == path.read_bytes()
    assert os.getxattr(path, "security.selinux") == LABEL and os.getxattr(path, "user.origin") == b"image"
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".ovirt-node-tmp.")] == []


def test_set_keeps_labels_and_hard_links(node_root: Path) -> None:
    others = {name: mark(node_root / name) for name in FILES}
    inodes = {name: (node_root / name).stat().st_ino for name in FILES}
    result = run_config("--root", str(node_root), "set", "ssh.port=2222")
    assert result.returncode == 0, result.stderr
    assert "Port 2222" in others["etc/ssh/sshd_config"].read_text()
    assert 'OVIRT_SSH_PORT="2222"' in others["etc/default/ovirt"].read_text()
    for name in FILES:
        assert_kept(node_root / name, others[name], inodes[name])


def test_labels_alone_survive_a_write_by_rename(node_root: Path) -> None:
    """Without a second name the write stays atomic (a new inode) and takes the attributes."""
    path = node_root / "etc/ssh/sshd_config"
    os.setxattr(path, "security.selinux", LABEL)
    before = path.stat().st_ino
    assert run_config("--root", str(node_root), "set", "ssh.port=2022").returncode == 0
    assert path.stat().st_ino != before and os.getxattr(path, "security.selinux") == LABEL


@pytest.mark.parametrize("fail", [False, True], ids=["applied", "rolled-back"])
def test_write_file_keeps_the_inode_and_rollback_restores_every_name(node_root: Path, fail: bool) -> None:
    path = node_root / "etc/motd"
    path.write_text("old\n")
    other = mark(path)
    inode = path.stat().st_ino
    steps = [WriteFile("/etc/motd", "new\n")] + [RunCommand("Fail", ["false"])] * fail
    ctx = Context(root=Root.at(node_root))
    if fail:
        with pytest.raises(TransactionError):
            Transaction("motd", steps).run(ctx)
    else:
        Transaction("motd", steps).run(ctx)
    assert other.read_text() == ("old\n" if fail else "new\n")
    assert_kept(path, other, inode)
