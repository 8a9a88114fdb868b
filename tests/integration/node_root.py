"""The node image's own root as a test tree: the engine writes into it with the real CLI and the
node's daemons check the result with their own checkers, run inside it (chroot).

The root is the finished image's squashfs (what a node boots), unpacked once per image into
`<image cache>/node-roots/<image key>/root` (~1 GB, a few seconds). Each test gets a writable
view of it: an overlay whose upper directory holds exactly what the test changed, mounted in a
private mount namespace (with a UTS namespace: the node's own host name) that a sleeping process
holds. Nothing is mounted on the host, so a killed test leaves no mount behind; the namespace
ends with its process. The test process reads the tree through `/proc/<pid>/root`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ovirt_node.image.build import cache_root, prune
from ovirt_node.installer.image import SQUASHFS
from tests.vm.node import build_image
from tests.vm.shared import locked

REPO = Path(__file__).resolve().parents[2]
#: How many unpacked roots the cache keeps (the newest; ~1 GB each).
KEEP_ROOTS = 2
#: The environment of a program run inside the root: nothing of the test's own.
CHROOT_ENV = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
              "HOME": "/root", "TERM": "dumb"}


def image_root() -> Path:
    """The unpacked root of the image the current recipe and source build (built first when it
    is not cached: a code change costs ~2 minutes, once per run)."""
    image = build_image().path
    roots = cache_root() / "node-roots"
    final = roots / image.name / "root"
    if final.is_dir():
        return final
    roots.mkdir(parents=True, exist_ok=True)
    with locked(roots / ".unpack.lock"):
        if final.is_dir():
            return final
        # Unpacking happens only under this lock: a temp dir seen here is an interrupted one's.
        subprocess.run(["rm", "-rf", *map(str, roots.glob(".tmp-*"))], check=True)
        tmp = roots / f".tmp-{image.name}-{os.getpid()}"
        tmp.mkdir()
        subprocess.run(["unsquashfs", "-q", "-n", "-d", str(tmp / "root"), str(image / SQUASHFS)],
                       check=True, stdout=subprocess.DEVNULL, timeout=600)
        tmp.rename(final.parent)
    prune(roots, KEEP_ROOTS, min_age=3600)  # a run takes minutes; another branch's may still use its root
    return final


def copy_etc(root: Path, dest: Path) -> Path:
    """The node root's /etc (with os-release's target) as a plain tree at `dest`: for the engine
    run in the test's own process, which cannot use a NodeTree (Root.at resolves
    /proc/<pid>/root to the host's /, outside the namespace). Enough for keys whose files are
    all under /etc."""
    dest.mkdir(parents=True)
    subprocess.run(["cp", "-a", str(root / "etc"), str(dest / "etc")], check=True)
    (dest / "usr/lib").mkdir(parents=True)
    subprocess.run(["cp", "-a", str(root / "usr/lib/os-release"), str(dest / "usr/lib/os-release")], check=True)
    return dest


class NodeTree:
    """A writable view of the node root: an overlay in a private mount namespace, with /proc,
    /dev and a fresh /run and /tmp inside it, as a booted node has."""

    def __init__(self, lower: Path, work: Path) -> None:
        self.upper, self._work, self.merged = work / "upper", work / "work", work / "merged"
        for path in (self.upper, self._work, self.merged):
            path.mkdir(parents=True)
        # setpriv: the holder dies with the test process, whatever kills it.
        self._holder = subprocess.Popen(["setpriv", "--pdeathsig", "KILL", "--", "unshare", "--mount", "--uts",
                                         "--propagation", "private", "--", "sleep", "infinity"])
        self._wait_for_namespace()
        merged = str(self.merged)
        for argv in (["mount", "-t", "overlay", "overlay", "-o",
                      f"lowerdir={lower},upperdir={self.upper},workdir={self._work}", merged],
                     ["mount", "-t", "proc", "proc", f"{merged}/proc"],
                     ["mount", "--rbind", "/dev", f"{merged}/dev"],
                     ["mount", "-t", "tmpfs", "tmpfs", f"{merged}/run"],
                     ["mount", "-t", "tmpfs", "tmpfs", f"{merged}/tmp"]):
            self._inside(argv, check=True)

    def _wait_for_namespace(self) -> None:
        own = os.readlink("/proc/self/ns/mnt")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if os.readlink(f"/proc/{self._holder.pid}/ns/mnt") != own:
                    return
            except FileNotFoundError:
                pass
            time.sleep(0.01)
        raise RuntimeError("the mount namespace holder did not start")

    @property
    def root(self) -> Path:
        """The tree as the test process sees it (through the namespace holder's root), for
        reading and writing files; not for Root.at (see copy_etc)."""
        return Path(f"/proc/{self._holder.pid}/root") / str(self.merged).lstrip("/")

    def _inside(self, argv: list[str], *, check: bool = False, stdin: str | None = None,
                env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        # --root: the holder's root, not the namespace's (they differ when the tests run in a
        # chroot, as make fresh-test does: setns alone would move us to the host's /).
        return subprocess.run(["nsenter", "--target", str(self._holder.pid), "--mount", "--uts", "--root", "--",
                               *argv],
                              capture_output=True, text=True, check=check, input=stdin, env=env, cwd=cwd,
                              timeout=300)

    def run(self, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """A program of the node, run inside the root (chroot) with a clean environment."""
        return self._inside(["chroot", str(self.merged), *argv], stdin=stdin, env=CHROOT_ENV)

    def take_hostname(self) -> None:
        """Give the namespace the node's host name (/etc/hostname), as systemd does at boot."""
        done = self.run("hostname", "--file", "/etc/hostname")
        if done.returncode != 0:
            raise RuntimeError(f"hostname --file /etc/hostname: {done.stderr}")

    def config(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """The real `ovirt-node-config --root <this tree>` (this checkout's), in a fresh process."""
        return self._inside([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(self.merged), *args],
                            cwd=REPO, stdin=stdin)

    def written(self) -> set[str]:
        """The paths the test created or changed (the overlay's upper directory)."""
        return {"/" + str(p.relative_to(self.upper)) for p in self.upper.rglob("*")
                if not p.is_dir() or p.is_symlink()}

    def close(self) -> None:
        self._holder.send_signal(signal.SIGKILL)
        self._holder.wait()
