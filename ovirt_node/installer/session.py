"""What every installer flow and step works with: the session (the live system's context, the
platform's tool names, the devices, where to mount, the firmware) and the installed node as its
disks show it (the ESP and the two image slots)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.context import Context
from ovirt_node.core.platform import Platform
from ovirt_node.core.root import Root
from ovirt_node.installer.devices import Devices
from ovirt_node.installer.plan.layout import VG_NAME
from ovirt_node.installer.steps.bootloader import Slot
from ovirt_node.installer.steps.hooks import HOOKS_DIR
from ovirt_node.installer.steps.storage import Target

PRODUCT = "oVirt Node"
SLOTS = ("Root", "RootBackup")


@dataclass
class Session:
    """What every flow needs: the live system's context (runner, lock), the platform's tool
    names, the devices, where to mount, and the firmware."""

    ctx: Context
    platform: Platform
    devices: Devices
    target: Target
    uefi: bool = False
    product: str = PRODUCT
    log_file: Path | None = None
    hooks_dir: str = HOOKS_DIR
    live: Root = field(default_factory=Root)


@dataclass(frozen=True)
class InstalledNode:
    """An installed node as its disks show it: the ESP, the slot it boots, the other slot."""

    esp: str
    active: Slot
    backup: Slot | None
    #: The slot a pending trial boot tries (its health checks have not decided yet).
    trial: str | None = None


def booted_slot(args: KernelArgs) -> str | None:
    """The slot LV the running system booted (`rd.lvm.lv=HostVG/<slot>`), None from boot media."""
    for value in args.get_all("rd.lvm.lv"):
        vg, _, lv = (value or "").partition("/")
        if vg == VG_NAME and lv:
            return lv
    return None


def other_slot(lv: str) -> str:
    return SLOTS[1] if lv == SLOTS[0] else SLOTS[0]
