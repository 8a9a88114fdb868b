"""Debian packages installed into an unpacked image root with the root's own apt (`edit
--add-plugin`): what mmdebstrap does for the build, by hand.

mmdebstrap keeps the root's apt sources and keyrings but empties its package lists, so the
run starts with `apt-get update`. apt runs in a chroot with /proc and /dev mounted in a
private mount namespace (`unshare`), so nothing is left mounted on the host whatever
happens; a policy-rc.d refuses every service start (no daemon of the image may run on the
build host); the build host's resolv.conf lets it reach the mirror. Afterwards the lists and
the downloaded packages are removed and the root's own resolv.conf is put back. The dpkg
path filters mmdebstrap wrote into the root (no man pages or docs) apply here too.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ovirt_node.core.run import Runner

LONG = 3600.0
POLICY_RC = "usr/sbin/policy-rc.d"
RESOLV = "etc/resolv.conf"
LISTS = "var/lib/apt/lists"
#: Run by `sh` inside the new mount namespace; the root and the packages are its arguments
#: ($1, then the rest), never spliced into the text.
_IN_NAMESPACE = """set -e
root=$1; shift
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
chroot "$root" apt-get -q update
chroot "$root" apt-get -q -y --no-install-recommends install "$@"
chroot "$root" apt-get clean
"""
APT_ENV = {"DEBIAN_FRONTEND": "noninteractive", "DEBCONF_NONINTERACTIVE_SEEN": "true", "LC_ALL": "C.UTF-8",
           "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}


class AptError(ValueError):
    """The root cannot take packages as it is; the message says why."""


def install(root: Path, packages: Sequence[str], runner: Runner) -> None:
    """Install `packages` (valid Debian names, checked by the caller) and what they depend on
    into the image root at `root`, without recommends."""
    if not packages:
        return
    with _no_service_starts(root), _host_resolver(root):
        try:
            runner(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _IN_NAMESPACE, "sh",
                    str(root), *packages], env=APT_ENV, timeout=LONG)
        finally:
            _clean_lists(root)


@contextmanager
def _no_service_starts(root: Path) -> Iterator[None]:
    policy = root / POLICY_RC
    if policy.exists() or policy.is_symlink():
        raise AptError(f"the image has its own /{POLICY_RC}: packages are not installed over it")
    policy.write_text("#!/bin/sh\n# ovirt-node-image edit: no service starts while packages are installed\nexit 101\n")
    policy.chmod(0o755)
    try:
        yield
    finally:
        policy.unlink(missing_ok=True)


@contextmanager
def _host_resolver(root: Path) -> Iterator[None]:
    """The build host's /etc/resolv.conf (its content) in the root while apt runs; the root's
    own file or link back afterwards."""
    target = root / RESOLV
    saved = target.with_name(".resolv.conf.ovirt-node-edit")
    had = target.exists() or target.is_symlink()
    if had:
        os.replace(target, saved)
    try:
        shutil.copyfile("/etc/resolv.conf", target)
        yield
    finally:
        target.unlink(missing_ok=True)
        if had:
            os.replace(saved, target)


def _clean_lists(root: Path) -> None:
    """The package lists apt downloaded (tens of MB, stale on the node anyway), as mmdebstrap
    leaves them: only the lock and an empty partial/ (kept: apt's own user owns it)."""
    lists = root / LISTS
    for entry in [*lists.glob("*"), *(lists / "partial").glob("*")]:
        if entry.name in ("lock", "partial") and entry.parent == lists:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
