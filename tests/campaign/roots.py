"""The node trees the campaign attacks: copies of the demo root, an EL-like root, a minimal
root (most configuration files absent), a broken one (garbage and non-UTF-8 text in the files
the engine parses, a dangling link), an odd one (a directory and a FIFO where files belong: every
front door refuses it with a clear error and writes nothing), plus a demo root whose files carry xattrs, a
hard link and odd modes (what a rollback must give back as it was)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ovirt_node.core.resources import copy_demo_root
from tests.integration.el_node import make_el_root

KINDS = ("demo", "el", "minimal", "broken", "odd")

#: Left in the minimal root: who the users are, what the OS is, its name.
MINIMAL_KEEP = {"etc/passwd", "etc/group", "etc/shadow", "etc/os-release", "etc/hostname"}

#: Files the engine reads and writes, rewritten with what a damaged node may hold.
BROKEN: dict[str, bytes] = {
    "etc/ssh/sshd_config": b"Port\nPort 22 22\n\x00\x01 garbage \xff\n   Match\n",
    "etc/default/ovirt": b'OVIRT_SSH_PORT="22\nOVIRT_=1\n=x\nexport \xfe\xff\nOVIRT_KEYBOARD_LAYOUT=\'\n',
    "etc/rsyslog.conf": b"*.* @@[::1\n$Include \n\xc3\x28\n",
    "etc/chrony/chrony.conf": b"server\npool \x00\n",
    "etc/collectd/collectd.conf": b"<Plugin network>\n  Server\n",
    "etc/hosts": b"not an address line\n\xff\n",
}


def make_root(kind: str, dest: Path, variant: int = 0) -> Path:
    """A fresh tree of `kind` at `dest` (a broken root breaks one file, picked by `variant`:
    a broken sshd_config alone stops every front door, so the others take turns)."""
    root = copy_demo_root(dest)
    if kind == "el":
        make_el_root(root)
    elif kind == "minimal":
        for path in sorted((root / "etc").rglob("*"), reverse=True):
            rel = str(path.relative_to(root))
            if path.is_file() and not path.is_symlink() and rel not in MINIMAL_KEEP:
                path.unlink()
    elif kind == "broken":
        rel, data = list(BROKEN.items())[variant % len(BROKEN)]
        (root / rel).write_bytes(data)
        (root / "etc/resolv.conf").unlink()
        (root / "etc/resolv.conf").symlink_to("/run/nonexistent/resolv.conf")  # dangling
    elif kind == "odd":
        (root / "etc/vconsole.conf").unlink()
        (root / "etc/vconsole.conf").mkdir()  # a directory where a file belongs
        (root / "etc/iscsi/initiatorname.iscsi").unlink()
        os.mkfifo(root / "etc/iscsi/initiatorname.iscsi")  # a FIFO: reading it would hang
    elif kind == "decorated":
        decorate(root)
    elif kind != "demo":
        raise ValueError(f"unknown root kind {kind!r}")
    return root


#: Files that get an xattr, a second name and an odd mode in the decorated root.
DECORATED = ("etc/ssh/sshd_config", "etc/default/ovirt", "etc/rsyslog.conf")


def decorate(root: Path) -> None:
    for rel in DECORATED:
        path = root / rel
        os.setxattr(path, "user.campaign", rel.encode())
        os.link(path, path.with_name(path.name + ".hardlink"))
        path.chmod(0o640)


def fresh(kind: str, base: Path, name: str, variant: int = 0) -> Path:
    """`make_root` into base/name, replacing whatever was there."""
    from tests.campaign.tree import forget_hashes

    forget_hashes()  # the new copies may reuse the old files' inode numbers
    dest = base / name
    if dest.exists():
        shutil.rmtree(dest)
    return make_root(kind, dest, variant)
