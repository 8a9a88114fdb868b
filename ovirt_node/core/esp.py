"""The EFI system partition on the running node: where the boot menu and the grubenv live.

The installer's fstab line for it is `noauto`: it is mounted only while something reads or
writes it, by that fstab line, and unmounted after (`esp_mounted`: the health run, the boot
console's reads, and a transaction whose steps write there, see `Step.needs_mounted`). vfat has no
journal, and an upgrade or rollback mounts the partition itself (flows.inspect, read-only),
which a standing mount of it would refuse.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner

log = logging.getLogger(__name__)

#: Where the installer mounts the ESP (installer/steps/configure.py writes it into fstab).
ESP = "/boot/efi"


def mount_esp(root: Root, runner: Runner, esp: str = ESP) -> bool:
    """Mount the ESP on the running node when fstab names it and nothing is mounted there;
    True when this call mounted it. Under a root prefix nothing is mounted."""
    if not root.is_host or os.path.ismount(root(esp)):
        return False
    try:
        lines = root("/etc/fstab").read_text(errors="replace").splitlines()
    except OSError:
        return False
    if not any(line.split()[1:2] == [esp] for line in lines if not line.lstrip().startswith("#")):
        return False
    runner(["mount", str(root(esp))], timeout=60)
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
            if done.returncode:
                log.warning("%s stays mounted: umount failed: %s", esp, done.stderr.strip())


def release_esp(root: Root, runner: Runner, esp: str = ESP) -> None:
    """Unmount the ESP from `esp` before an upgrade or rollback mounts the partition itself
    (its read-only look at the node is refused while the ESP is mounted read-write: an
    administrator's mount, or a read killed before it unmounted). CommandError, with
    umount's reason, when it is in use."""
    if root.is_host and os.path.ismount(root(esp)):
        runner(["umount", str(root(esp))], timeout=60)
