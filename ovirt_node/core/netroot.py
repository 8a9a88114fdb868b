"""The kernel line of a node whose root is on an iSCSI LUN: `netroot=iscsi:ADDRESS::PORT:LUN:TARGET`
(dracut's form, without credentials), `rd.iscsi.initiator=IQN` and `rd.iscsi.bootif=MAC`, the
NIC the root's session runs over. Written by the installer (installer/iscsi_root.py), read by
the initramfs at boot, by the Status page, and by the network settings, which must never take
that NIC down."""

from __future__ import annotations

from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.namedtuple import NamedTuple

PREFIX = "iscsi:"


class IscsiNetRoot(NamedTuple):
    address: str
    port: int
    lun: int
    target: str
    initiator: str
    nic_mac: str = ""  # "" when the line does not name it (or before the installer's login)

    @property
    def portal(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def by_path(self) -> str:
        """udev's name of the LUN's block device once logged in."""
        return f"/dev/disk/by-path/ip-{self.portal}-iscsi-{self.target}-lun-{self.lun}"

    def words(self) -> list[str]:
        return [f"netroot={PREFIX}{self.address}::{self.port}:{self.lun}:{self.target}",
                f"rd.iscsi.initiator={self.initiator}", f"rd.iscsi.bootif={self.nic_mac}"]

    def describe(self) -> str:
        return f"iSCSI LUN {self.lun} of {self.target} at {self.portal}"


def from_args(args: KernelArgs) -> IscsiNetRoot | None:
    """The iSCSI root the kernel line names; None when there is none (or it is malformed:
    then the node could not have booted from it)."""
    value = args.get("netroot") or ""
    if not value.startswith(PREFIX):
        return None
    address, _, rest = value[len(PREFIX):].partition(":")
    _protocol, _, rest = rest.partition(":")
    port, _, rest = rest.partition(":")
    lun, _, target = rest.partition(":")
    if not (address and target and (port or "3260").isdigit() and (lun or "0").isdigit()):
        return None
    return IscsiNetRoot(address, int(port or 3260), int(lun or 0), target,
                        args.get("rd.iscsi.initiator") or "", (args.get("rd.iscsi.bootif") or "").lower())
