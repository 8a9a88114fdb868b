"""The EFI system partition on the running node: where the boot menu and the grubenv live.

The installer's fstab line for it is `noauto,x-systemd.automount`; early boot restores
/etc/fstab from /config after systemd's generators ran and then starts that automount
(boot/early.start_automounts). Where it is not running (a node booted before that, or the
automount failed to start), whoever needs the ESP mounts it by its fstab line.
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
