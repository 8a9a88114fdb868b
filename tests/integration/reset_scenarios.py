"""Reset scenarios with a real /config volume, run by tests/integration/test_reset.py.

Run as `unshare -m --propagation private -- python reset_scenarios.py SCENARIO WORKDIR`: inside
the private mount namespace it copies the demo root to WORKDIR/root, loop-mounts a fresh ext4
image on its /config, configures the node with `ovirt-node-config set` (every change persisted,
bind mounts and all), plays SCENARIO and writes what it saw to WORKDIR/result.json.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import stat
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovirt_node.cli.config import main as config_main
from ovirt_node.cli.persist import persist_main
from ovirt_node.core.resources import copy_demo_root
from ovirt_node.core.run import run
from ovirt_node.persist.mount import mount_points

Json = dict[str, Any]

#: Many keys of many areas; ssh.port is kept by a reset (SSH access), the others go.
CHANGES = ["ssh.port=2200", "logging.rsyslog.server=192.0.2.5", "logging.logrotate.interval=weekly",
           "keyboard.keymap=de", "nfsv4.domain=example.org", "monitoring.collectd.server=192.0.2.6",
           "performance.tuned.profile=balanced", "kdump.mode=disabled", "network.ntp=192.0.2.9",
           "iscsi.initiator_name=iqn.2026-01.org.example:node1"]


class Node:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.root = workdir / "root"
        self.config = self.root / "config"

    def setup(self) -> None:
        copy_demo_root(self.root)
        self.config.mkdir(exist_ok=True)
        image = self.workdir / "config.img"
        run(["truncate", "-s", "64M", str(image)])
        run(["mkfs.ext4", "-q", "-F", "-L", "CONFIG", str(image)])
        run(["mount", "-o", "loop", str(image), str(self.config)])
        (self.config / "lost+found").rmdir()

    def cli(self, main: Callable[[list[str] | None], int], *args: str, stdin: str = "") -> Json:
        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin)
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(["--root", str(self.root), *args])
        finally:
            sys.stdin = saved
        return {"rc": rc, "out": out.getvalue(), "err": err.getvalue()}

    def install(self) -> None:
        """What the installer leaves persisted: fstab, and the connections folder (whole)."""
        self.p("/etc/fstab").write_text("/dev/HostVG/Data /data ext4 defaults 0 2\n")
        for path in ("/etc/fstab", "/etc/NetworkManager/system-connections"):
            assert self.cli(persist_main, path)["rc"] == 0

    def configure(self) -> Json:
        done = self.cli(config_main, "set", *CHANGES)
        self.p("/etc/NetworkManager/system-connections/storage.nmconnection").write_text(
            "[connection]\nid=storage\ntype=ethernet\ninterface-name=eth3\n")
        self.p("/etc/motd").write_text("the operator's own note\n")
        persisted = self.cli(persist_main, "/etc/motd")
        return {"set": done, "persist": persisted}

    def p(self, path: str) -> Path:
        return self.root / path.lstrip("/")

    def mounts(self) -> list[str]:
        return sorted("/" + os.path.relpath(m, self.root) for m in mount_points()
                      if m.startswith(str(self.root) + "/") and m != str(self.config))


def tree(top: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    """Every entry under `top`: kind, mode, owner and content (a checksum) or link target."""
    found: dict[str, str] = {}
    for folder, dirs, names in os.walk(top):
        rel_folder = os.path.relpath(folder, top)
        dirs[:] = [d for d in dirs if os.path.normpath(os.path.join(rel_folder, d)) not in skip]
        for name in dirs + names:
            path = os.path.join(folder, name)
            rel = os.path.normpath(os.path.join(rel_folder, name))
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                what = "link " + os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                what = "file " + hashlib.sha256(Path(path).read_bytes()).hexdigest()
            else:
                what = "dir"
            found[rel] = f"{what} {st.st_mode:o} {st.st_uid}:{st.st_gid}"
    return found


def node_tree(n: Node) -> dict[str, str]:
    return tree(n.root, skip=("config", "run", "proc"))


def changed(a: dict[str, str], b: dict[str, str]) -> list[str]:
    return sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))


def s_reset(n: Node) -> Json:
    """Install, configure, then reset: only the kept paths differ from the tree as installed."""
    n.install()
    before = node_tree(n)
    configured = n.configure()
    after_set = node_tree(n)
    index_configured = (n.config / "files").read_text()
    reset = n.cli(config_main, "reset", "--keep-network", "--yes", "--json")
    return {"configured": configured, "changed_by_set": changed(before, after_set),
            "index_configured": index_configured, "reset": reset, "differs": changed(before, node_tree(n)),
            "defaults": n.p("/etc/default/ovirt").read_text(), "index": (n.config / "files").read_text(),
            "mounts": n.mounts(), "motd": n.p("/etc/motd").exists()}


def _snapshot(n: Node) -> Json:
    return {"root": node_tree(n), "config": tree(n.config), "mounts": n.mounts()}


def s_rollback(n: Node) -> Json:
    """A reset that fails part way (a file it must replace is immutable) rolls back byte for
    byte: the node's tree, the /config volume and its mounts are as before."""
    n.install()
    configured = n.configure()
    before = _snapshot(n)
    victim = n.p("/etc/vconsole.conf")  # the last file the reset puts back
    chattr = run(["chattr", "+i", str(victim)], check=False)
    try:
        reset = n.cli(config_main, "reset", "--yes")
    finally:
        run(["chattr", "-i", str(victim)], check=False)
    after = _snapshot(n)
    return {"configured": configured, "chattr": chattr.returncode, "reset": reset,
            "root_changed": changed(before["root"], after["root"]),
            "config_changed": changed(before["config"], after["config"]),
            "mounts_before": before["mounts"], "mounts_after": after["mounts"]}


def s_refused(n: Node) -> Json:
    """A word other than RESET: nothing is written."""
    n.install()
    n.configure()
    before = _snapshot(n)
    refused = n.cli(config_main, "reset", stdin="reset\n")
    empty = n.cli(config_main, "reset", stdin="")
    after = _snapshot(n)
    return {"refused": refused, "empty": empty, "root_changed": changed(before["root"], after["root"]),
            "config_changed": changed(before["config"], after["config"])}


SCENARIOS: dict[str, Callable[[Node], Json]] = {
    name[2:]: func for name, func in globals().items() if name.startswith("s_") and callable(func)
}


def main(argv: list[str]) -> int:
    name, workdir = argv
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
