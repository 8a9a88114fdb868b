"""The EFI system partition on the running node: where the boot menu and the grubenv live.

The installer's fstab line for it is `noauto`: it is mounted only while something reads or
writes it, by that fstab line, and unmounted after (`esp_mounted`: the health run, the boot
console's reads, and a transaction whose steps write there, see `Step.needs_mounted`); a
mount a killed run left is unmounted by the next run that uses it (MOUNTS_DIR). vfat has no
journal, and an upgrade or rollback mounts the partition itself (flows.inspect, read-only),
which a standing mount of it would refuse.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner

log = logging.getLogger(__name__)

#: Where the installer mounts the ESP (installer/steps/configure.py writes it into fstab).
ESP = "/boot/efi"


#: A mount made here is recorded while it stands, by the process that made it (tmpfs: gone at
#: a reboot, as the mount is). A mount whose recorded process is gone was left by a run that
#: was killed before it could unmount: the next run takes it over and unmounts it after.
MOUNTS_DIR = "/run/ovirt-node/mounts"


def _mark(root: Root, esp: str) -> Path:
    return root(MOUNTS_DIR) / (esp.strip("/").replace("/", "-") or "root")


def _started(pid: int) -> str | None:
    """The process's start time (in clock ticks since boot), which a reused pid does not share."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rpartition(")")[2].split()[19]


def _record(root: Root, esp: str) -> None:
    mark = _mark(root, esp)
    mark.parent.mkdir(parents=True, exist_ok=True)
    mark.write_text(f"{os.getpid()} {_started(os.getpid())}\n")


def _left_by_a_killed_run(root: Root, esp: str) -> str | None:
    """The pid that mounted `esp` here and is gone without unmounting it, or None (no record:
    an administrator's mount, or the recorded process still runs)."""
    try:
        pid, started = _mark(root, esp).read_text().split()
    except (OSError, ValueError):
        return None
    return pid if _started(int(pid)) != started else None


def _forget(root: Root, esp: str) -> None:
    _mark(root, esp).unlink(missing_ok=True)


def mount_esp(root: Root, runner: Runner, esp: str = ESP) -> bool:
    """Mount the ESP on the running node when fstab names it and nothing is mounted there;
    True when this call mounted it, or took over a mount a killed run left (to unmount it
    after). Under a root prefix nothing is mounted."""
    if not root.is_host:
        return False
    if os.path.ismount(root(esp)):
        killed = _left_by_a_killed_run(root, esp)
        if killed is None:
            return False  # an administrator's mount, or another run's that still needs it
        log.warning("%s was left mounted by a run that was killed (pid %s); unmounting it after this use", esp,
                    killed)
        _record(root, esp)
        return True
    try:
        lines = root("/etc/fstab").read_text(errors="replace").splitlines()
    except OSError:
        return False
    if not any(line.split()[1:2] == [esp] for line in lines if not line.lstrip().startswith("#")):
        return False
    _record(root, esp)  # before the mount: a kill between the two leaves a record, never an unknown mount
    try:
        runner(["mount", str(root(esp))], timeout=60)
    except BaseException:
        _forget(root, esp)
        raise
    return True


@contextmanager
def esp_mounted(root: Root, runner: Runner, esp: str = ESP, *, strict: bool = True) -> Iterator[None]:
    """`esp` (any `noauto` fstab mount point) mounted for the block when it is not, and
    unmounted again after it if it was mounted here; left as it was otherwise. A failed
    mount raises CommandError, or with `strict=False` is logged and the block runs without."""
    try:
        mounted = mount_esp(root, runner, esp)
    except CommandError as exc:
        if strict:
            raise
        log.warning("cannot mount %s: %s", esp, exc)
        mounted = False
    try:
        yield
    finally:
        if mounted:
            done = runner(["umount", str(root(esp))], check=False, timeout=60)
            if done.returncode:  # the record stays: the next run tries again once this one is gone
                log.warning("%s stays mounted: umount failed: %s", esp, done.stderr.strip())
            else:
                _forget(root, esp)


def release_esp(root: Root, runner: Runner, esp: str = ESP) -> None:
    """Unmount the ESP from `esp` before an upgrade or rollback mounts the partition itself
    (its read-only look at the node is refused while the ESP is mounted read-write: an
    administrator's mount, or a read killed before it unmounted). CommandError, with
    umount's reason, when it is in use."""
    if root.is_host and os.path.ismount(root(esp)):
        runner(["umount", str(root(esp))], timeout=60)
        _forget(root, esp)
