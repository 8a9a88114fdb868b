"""The EFI system partition on the running node: where the boot menu and the grubenv live.

The installer's fstab line for it is `noauto`: it is mounted only while something reads or
writes it, by that fstab line, and unmounted after (boot/health.py). vfat has no journal, and
an upgrade or rollback mounts the partition itself (flows.inspect, read-only), which a
standing mount of it would refuse.
"""

from __future__ import annotations

import os

from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner

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


def release_esp(root: Root, runner: Runner, esp: str = ESP) -> None:
    """Unmount the ESP from `esp` before an upgrade or rollback mounts the partition itself
    (its read-only look at the node is refused while the ESP is mounted read-write: reading
    boot.console leaves it so). CommandError, with umount's reason, when it is in use."""
    if root.is_host and os.path.ismount(root(esp)):
        runner(["umount", str(root(esp))], timeout=60)
