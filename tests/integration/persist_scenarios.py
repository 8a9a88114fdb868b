"""Persist scenarios with real mounts, run by tests/integration/test_persist.py.

Run as `unshare -m --propagation private -- python persist_scenarios.py SCENARIO WORKDIR`:
inside the private mount namespace it builds a node tree at WORKDIR/root, loop-mounts a fresh
ext4 image on WORKDIR/root/config, plays SCENARIO with the real persist code (API and CLI)
and writes what it observed to WORKDIR/result.json.  Every mount dies with the namespace.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import stat
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovirt_node.cli.persist import persist_main, restore_main, unpersist_main
from ovirt_node.core.root import Root
from ovirt_node.core.run import run
from ovirt_node.persist.mount import bind_mount, mount_points, unmount
from ovirt_node.persist.paths import RestoreError
from ovirt_node.persist.store import Store

Json = dict[str, Any]


class Node:
    """The node tree under WORKDIR/root with its CONFIG volume mounted."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.root = workdir / "root"
        self.config = self.root / "config"
        self.store = Store(Root.at(self.root))

    def setup(self) -> None:
        for d in ("etc", "var/lib", "var/log", "usr/bin", "config"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        image = self.workdir / "config.img"
        run(["truncate", "-s", "64M", str(image)])
        run(["mkfs.ext4", "-q", "-F", "-L", "CONFIG", str(image)])
        run(["mount", "-o", "loop", str(image), str(self.config)])

    def p(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def c(self, path: str) -> Path:
        return self.config / path.lstrip("/")

    def write(self, path: str, text: str, mode: int = 0o644, owner: int | None = None) -> Path:
        real = self.p(path)
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_text(text)
        os.chmod(real, mode)
        if owner is not None:
            os.chown(real, owner, owner)
        return real

    def cli(self, main: Callable[[list[str] | None], int], *args: str) -> Json:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            rc = main(["--root", str(self.root), *args])
        return {"rc": rc, "out": out.getvalue().splitlines(), "err": err.getvalue().splitlines()}

    def persist(self, *args: str) -> Json:
        return self.cli(persist_main, *args)

    def unpersist(self, *args: str) -> Json:
        return self.cli(unpersist_main, *args)

    def mounts(self, path: str) -> int:
        """How many mounts sit on node path `path`."""
        real = os.path.join(os.path.realpath(self.p(path).parent), self.p(path).name)
        return mount_points().count(real)

    def index(self) -> str | None:
        index = self.config / "files"
        return index.read_text() if index.exists() else None

    def config_listing(self) -> list[str]:
        """Every path on the CONFIG volume except lost+found."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.config):
            dirnames[:] = [d for d in dirnames if d != "lost+found"]
            for name in dirnames + filenames:
                found.append(os.path.relpath(os.path.join(dirpath, name), self.config))
        return sorted(found)

    def reboot(self) -> list[str]:
        """Drop every mount under the root except the CONFIG volume (as after a reboot)."""
        config = str(self.config)
        prefix = str(self.root) + "/"
        dropped = []
        for point in reversed(mount_points()):
            if point.startswith(prefix) and point != config:
                unmount(Path(point))
                dropped.append(point[len(prefix) - 1 :])
        return sorted(dropped)


def describe(path: Path) -> Json:
    """Kind, mode, owner and content (or link target) of one path."""
    st = os.lstat(path)
    info: Json = {"mode": oct(stat.S_IMODE(st.st_mode)), "uid": st.st_uid, "gid": st.st_gid}
    if stat.S_ISLNK(st.st_mode):
        info.update(kind="link", target=os.readlink(path))
    elif stat.S_ISDIR(st.st_mode):
        info.update(kind="dir")
    else:
        info.update(kind="file", text=path.read_text(), mtime=st.st_mtime_ns)
    return info


def tree(path: Path) -> Json:
    """describe() of every entry under a directory, by relative path (mtimes left out)."""
    found: Json = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            full = Path(dirpath, name)
            info = describe(full)
            info.pop("mtime", None)
            found[str(full.relative_to(path))] = info
    return found


def same_inode(a: Path, b: Path) -> bool:
    sa, sb = os.lstat(a), os.lstat(b)
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


# --------------------------------------------------------------------------- scenarios


def s_probe(n: Node) -> Json:
    return {"config_mounts": n.mounts("/config"), "enabled": n.store.enabled()}


def s_file(n: Node) -> Json:
    n.write("/etc/x", "hello\n", mode=0o640, owner=1234)
    before = describe(n.p("/etc/x"))
    first = n.persist("/etc/x")
    result: Json = {
        "before": before,
        "first": first,
        "index": n.index(),
        "stored": describe(n.c("/etc/x")),
        "mounts": n.mounts("/etc/x"),
        "same_inode": same_inode(n.p("/etc/x"), n.c("/etc/x")),
    }
    n.p("/etc/x").write_text("written through the live path\n")
    result["stored_after_write"] = n.c("/etc/x").read_text()
    result["again"] = n.persist("/etc/x")
    result["mounts_after_again"] = n.mounts("/etc/x")
    result["in_sync"] = n.store.in_sync("/etc/x")
    result["is_persisted"] = n.store.is_persisted("/etc/x")
    result["list"] = n.persist("--list")
    return result


def s_dir(n: Node) -> Json:
    n.write("/etc/foo/a.conf", "a\n")
    n.write("/etc/foo/sub/b.conf", "b\n", mode=0o600, owner=1234)
    os.chown(n.p("/etc/foo/sub"), 1234, 1234)
    os.chmod(n.p("/etc/foo"), 0o750)
    os.symlink("a.conf", n.p("/etc/foo/rel-link"))
    os.symlink("/etc/foo/sub/b.conf", n.p("/etc/foo/abs-link"))
    before = tree(n.p("/etc/foo"))
    result: Json = {
        "before": before,
        "top_before": describe(n.p("/etc/foo")),
        "first": n.persist("/etc/foo"),
        "index": n.index(),
        "stored_tree": tree(n.c("/etc/foo")),
        "stored_top": describe(n.c("/etc/foo")),
        "mounts": n.mounts("/etc/foo"),
    }
    n.write("/etc/foo/new.conf", "new\n")
    result["stored_new"] = n.c("/etc/foo/new.conf").read_text()
    result["again"] = n.persist("/etc/foo")
    result["child"] = n.persist("/etc/foo/a.conf")
    result["child_unpersist"] = n.unpersist("/etc/foo/a.conf")
    result["child_is_persisted"] = n.store.is_persisted("/etc/foo/a.conf")
    result["index_after"] = n.index()
    result["mounts_after"] = n.mounts("/etc/foo")
    result["child_mounts"] = n.mounts("/etc/foo/a.conf")
    return result


def s_symlink(n: Node) -> Json:
    n.write("/etc/target", "t\n")
    os.symlink("/etc/target", n.p("/etc/link"))
    os.lchown(n.p("/etc/link"), 1234, 1234)
    result: Json = {
        "first": n.persist("/etc/link"),
        "index": n.index(),
        "stored": describe(n.c("/etc/link")),
        "mounts": n.mounts("/etc/link"),
        "again": n.persist("/etc/link"),
    }
    n.p("/etc/link").unlink()
    os.symlink("/etc/other", n.p("/etc/link"))
    result["changed"] = n.persist("/etc/link")
    result["stored_changed"] = describe(n.c("/etc/link"))
    result["temp_leftovers"] = [p for p in n.config_listing() if "persist-tmp" in p]
    return result


def s_updated(n: Node) -> Json:
    n.write("/etc/x", "v1\n", mode=0o640, owner=1234)
    result: Json = {"first": n.persist("/etc/x")}
    # Replace the stored copy behind the bind mount: the live path still shows v1.
    replacement = n.c("/etc/.x.new")
    replacement.write_text("v2\n")
    os.replace(replacement, n.c("/etc/x"))
    result["live_before"] = n.p("/etc/x").read_text()
    result["in_sync_before"] = n.store.in_sync("/etc/x")
    result["update"] = n.persist("/etc/x")
    result["stored_after"] = describe(n.c("/etc/x"))
    result["live_after"] = n.p("/etc/x").read_text()
    result["in_sync_after"] = n.store.in_sync("/etc/x")
    result["same_inode"] = same_inode(n.p("/etc/x"), n.c("/etc/x"))
    result["mounts"] = n.mounts("/etc/x")
    # Unpersist, change, persist again: a fresh copy of the new content.
    result["unpersist"] = n.unpersist("/etc/x")
    n.p("/etc/x").write_text("v3\n")
    result["repersist"] = n.persist("/etc/x")
    result["stored_v3"] = n.c("/etc/x").read_text()
    result["mounts_v3"] = n.mounts("/etc/x")
    result["index"] = n.index()
    return result


def s_unpersist(n: Node) -> Json:
    n.write("/etc/x", "v1\n", mode=0o640, owner=1234)
    n.write("/etc/a/b/c.conf", "deep\n")
    n.write("/etc/foo/one.conf", "one\n", mode=0o600, owner=1234)
    os.symlink("/etc/x", n.p("/etc/link"))
    persisted = n.persist("/etc/x", "/etc/a/b/c.conf", "/etc/foo", "/etc/link")
    n.p("/etc/x").write_text("v2\n")
    n.write("/etc/foo/two.conf", "two\n")
    listing_before = n.config_listing()
    result: Json = {
        "persisted": persisted,
        "listing_before": listing_before,
        "unpersist": n.unpersist("/etc/x", "/etc/a/b/c.conf", "/etc/foo", "/etc/link"),
        "file": describe(n.p("/etc/x")),
        "deep": describe(n.p("/etc/a/b/c.conf")),
        "dir": tree(n.p("/etc/foo")),
        "link": describe(n.p("/etc/link")),
        "mounts": {p: n.mounts(p) for p in ("/etc/x", "/etc/a/b/c.conf", "/etc/foo")},
        "listing_after": n.config_listing(),
        "index": n.index(),
        "again": n.unpersist("/etc/x"),
        "relative": n.unpersist("etc/x"),
    }
    return result


def s_restore(n: Node) -> Json:
    n.write("/etc/x", "v1\n", mode=0o640, owner=1234)
    n.write("/etc/deep/er/file.conf", "deep\n", mode=0o600)
    os.chmod(n.p("/etc/deep/er"), 0o700)
    n.write("/etc/foo/a.conf", "a\n")
    os.symlink("a.conf", n.p("/etc/foo/link"))
    n.write("/var/lib/thing/state", "s\n")
    os.symlink("/etc/x", n.p("/etc/link"))
    paths = ["/etc/x", "/etc/deep/er/file.conf", "/etc/foo", "/var/lib/thing", "/etc/link"]
    result: Json = {"persisted": n.persist(*paths)}
    n.p("/etc/x").write_text("v2 through the bind\n")
    n.write("/etc/foo/b.conf", "b\n")
    result["dropped"] = n.reboot()
    result["live_x_after_reboot"] = n.p("/etc/x").read_text()
    # A fresh read-only root may lack what was created after install.
    n.p("/etc/link").unlink()
    for gone in ("/etc/deep", "/etc/foo", "/var/lib/thing"):
        shutil.rmtree(n.p(gone))
    result["restored"] = n.store.restore()
    result["mounts"] = {p: n.mounts(p) for p in paths}
    result["x"] = describe(n.p("/etc/x"))
    result["deep"] = describe(n.p("/etc/deep/er/file.conf"))
    result["deep_parent"] = describe(n.p("/etc/deep/er"))
    result["foo"] = tree(n.p("/etc/foo"))
    result["thing"] = n.p("/var/lib/thing/state").read_text()
    result["link"] = describe(n.p("/etc/link"))
    result["restored_again"] = n.store.restore()
    result["mounts_again"] = {p: n.mounts(p) for p in paths}
    result["restore_cli"] = n.cli(restore_main)
    return result


def _replaced_by_rename(n: Node, path: str, old: str, new: str, shipped: str, mode: int) -> Json:
    """A file kept by copy (persist.COPIED): its owner replacing it by rename works,
    --refresh brings the change into the store, and a reboot's restore copies it back over
    the image's own (`shipped`)."""
    n.write(path, old, mode=mode)
    result: Json = {"persisted": n.persist(path), "mounts": n.mounts(path)}
    replacement = n.p(path + ".new")
    replacement.write_text(new)
    os.chmod(replacement, mode)
    os.rename(replacement, n.p(path))  # EBUSY if the path were a bind mount
    result["stored_before_refresh"] = n.c(path).read_text()
    result["refresh"] = n.persist("--refresh")
    result["stored"] = describe(n.c(path))
    result["refresh_again"] = n.persist("--refresh")
    n.reboot()
    n.write(path, shipped, mode=mode)
    result["restored"] = n.store.restore()
    result["live"] = describe(n.p(path))
    result["mounts_after_restore"] = n.mounts(path)
    result["restored_again"] = n.store.restore()
    return result


def s_accounts(n: Node) -> Json:
    """/etc/shadow, replaced by passwd and PAM."""
    return _replaced_by_rename(n, "/etc/shadow", "admin:$6$old:0:0:99999:7:::\n",
                               "admin:$6$new:20000:0:99999:7:::\n", "admin:!:0:0:99999:7:::\n", 0o640)


def s_vconsole(n: Node) -> Json:
    """/etc/vconsole.conf, replaced by localed when the keymap is set (the Keyboard page,
    keyboard=, `localectl set-keymap`)."""
    return _replaced_by_rename(n, "/etc/vconsole.conf", "KEYMAP=us\n", "KEYMAP=de-latin1\n", "KEYMAP=us\n", 0o644)


def s_restore_failure(n: Node) -> Json:
    n.write("/etc/x", "x\n")
    n.write("/etc/y", "y\n")
    result: Json = {"persisted": n.persist("/etc/x", "/etc/y")}
    n.reboot()
    n.c("/etc/x").unlink()
    try:
        n.store.restore()
    except RestoreError as exc:
        result["error"] = str(exc)
        result["restored"] = exc.restored
        result["failures"] = [str(f) for f in exc.failures]
    result["mounts_y"] = n.mounts("/etc/y")
    n.reboot()
    result["cli"] = n.cli(restore_main)
    return result


def s_refusals(n: Node) -> Json:
    n.write("/etc/ok", "ok\n")
    n.write("/usr/bin/tool", "#!/bin/sh\n")
    n.write("/var/log/messages", "log\n")
    n.write("/etc/real/f.conf", "f\n")
    os.symlink("real", n.p("/etc/via-link"))
    before = n.config_listing()
    cases = [
        "/usr/bin/tool",
        "/config",
        "/config/files",
        "/etc/../config/x",
        "/etc/nope",
        "etc/ok",
        "/etc",
        "/etc/",
        "/var/log/messages",
        "/",
        "/etc/via-link/f.conf",
    ]
    result: Json = {"cases": {c: n.persist(c) for c in cases}}
    result["listing_unchanged"] = n.config_listing() == before
    result["listing"] = n.config_listing()
    result["mounts_ok"] = n.mounts("/etc/ok")
    result["mixed"] = n.persist("/etc/nope", "/etc/ok")
    result["index"] = n.index()
    result["mounts_ok_after"] = n.mounts("/etc/ok")
    # A mount point made by someone else is not covered (exit 1: not bad input, a conflict).
    n.write("/etc/mounted", "under\n")
    n.write("/srv/other-fs-file", "over\n")
    bind_mount(n.p("/srv/other-fs-file"), n.p("/etc/mounted"))
    result["foreign_mount"] = n.persist("/etc/mounted")
    result["foreign_mounts"] = n.mounts("/etc/mounted")
    result["index_after_foreign"] = n.index()
    return result


def s_absorb(n: Node) -> Json:
    n.write("/etc/foo/bar", "child-v1\n")
    n.write("/etc/foo/other", "other\n")
    result: Json = {"child": n.persist("/etc/foo/bar")}
    n.p("/etc/foo/bar").write_text("child-v2\n")
    result["parent"] = n.persist("/etc/foo")
    result["index"] = n.index()
    result["mounts"] = {p: n.mounts(p) for p in ("/etc/foo", "/etc/foo/bar")}
    result["stored_bar"] = n.c("/etc/foo/bar").read_text()
    result["live_bar"] = n.p("/etc/foo/bar").read_text()
    result["stored_other"] = n.c("/etc/foo/other").read_text()
    result["temp_leftovers"] = [p for p in n.config_listing() if "persist-tmp" in p]
    return result


def s_engine(n: Node) -> Json:
    """`ovirt-node-config set` with /config mounted persists every file it wrote; a change
    whose restart fails un-persists what it had newly persisted."""
    from ovirt_node.cli.config import main as config_main
    from ovirt_node.core.resources import copy_demo_root, demo_root

    demo = demo_root()
    copy_demo_root(n.root)
    result: Json = {"enabled": n.store.enabled()}
    result["set"] = n.cli(config_main, "set", "ssh.pwauth=yes", "logging.rsyslog.server=log.example.com")
    result["index"] = n.index()
    result["mounted"] = {p: n.mounts(p) for p in ("/etc/default/ovirt", "/etc/ssh/sshd_config")}
    result["stored_sshd_has_change"] = "PasswordAuthentication yes" in n.c("/etc/ssh/sshd_config").read_text()
    n.reboot()
    # The node's root is the read-only image again: its pristine sshd_config shows through.
    shutil.copy2(demo / "etc/ssh/sshd_config", n.p("/etc/ssh/sshd_config"))
    result["after_reboot_before_restore"] = "PasswordAuthentication yes" in n.p("/etc/ssh/sshd_config").read_text()
    n.store.restore()
    result["after_restore"] = "PasswordAuthentication yes" in n.p("/etc/ssh/sshd_config").read_text()
    # A runtime step fails (no D-Bus at that address): the newly persisted file goes away again.
    result["failing"] = n.cli(
        config_main, "--bus", "unix:path=/nonexistent", "set", "logging.netconsole.server=192.0.2.1"
    )
    result["index_after_failure"] = n.index()
    result["netconsole_exists"] = n.p("/etc/sysconfig/netconsole").exists()
    return result


SCENARIOS: dict[str, Callable[[Node], Json]] = {
    name[2:]: func for name, func in globals().items() if name.startswith("s_") and callable(func)
}


def main(argv: list[str]) -> int:
    name, workdir = argv
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    node = Node(Path(workdir))
    try:
        node.setup()
        result = SCENARIOS[name](node)
    except Exception:
        traceback.print_exc()
        return 1
    (node.workdir / "result.json").write_text(json.dumps(result, indent=1, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
