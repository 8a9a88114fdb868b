"""A node whose root is on an iSCSI LUN (3.x's `iscsi_install`): the installer logs in to the
target, installs onto the LUN like onto a local disk (BIOS boot, EFI, HostVG), and writes the
arguments the node's initramfs logs in again with at every boot.

    iscsi_install                       install onto the LUN (instead of a local disk)
    iscsi_server=ADDRESS[:PORT]         the target's portal (IPv4 address; port 3260)
    iscsi_target_name=IQN               the target
    iscsi_name=IQN                      the initiator name (default: the live system's);
                                        also the node's iscsi.initiator_name setting
    iscsi_init=N                        the LUN (default 1)

The node's kernel line gets `netroot=iscsi:ADDRESS::PORT:LUN:TARGET rd.iscsi.initiator=IQN
rd.iscsi.bootif=MAC` (the NIC the session runs over): the initramfs brings that NIC up and
logs in before it looks for HostVG; the firmware or iPXE (`sanboot`) loads grub from the LUN.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.cmdline import KernelArgs, parse
from ovirt_node.core.netroot import IscsiNetRoot
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.core.steps import write_file_atomic
from ovirt_node.core.valid import IPv4Address, Port

log = logging.getLogger(__name__)

INSTALL_ARG = "iscsi_install"
DEFAULT_PORT = 3260
INITIATOR_FILE = "/etc/iscsi/initiatorname.iscsi"
#: Seconds for the LUN's block device to show up after the login.
DEVICE_WAIT = 60
#: Seconds for DHCP to give a route to the portal.
ROUTE_WAIT = 120
#: Arguments this module consumes; none of them is carried onto the node's kernel line.
ARGS = frozenset({INSTALL_ARG, "iscsi_server", "iscsi_target_name", "iscsi_init"})


class IscsiRootError(ValueError):
    """The iSCSI root cannot be used; the message says why (nothing was written)."""


@dataclass(frozen=True)
class IscsiRoot:
    address: str
    port: int
    target: str
    initiator: str
    lun: int = 1

    @property
    def portal(self) -> str:
        return f"{self.address}:{self.port}"

    @property
    def by_path(self) -> str:
        """udev's name of the LUN's block device."""
        return f"/dev/disk/by-path/ip-{self.portal}-iscsi-{self.target}-lun-{self.lun}"

    def boot_words(self, nic_mac: str) -> list[str]:
        """What the node's initramfs logs in with (see data/image/initramfs/init)."""
        return IscsiNetRoot(self.address, self.port, self.lun, self.target, self.initiator, nic_mac).words()


def _live_initiator(live: Root) -> str:
    path = live(INITIATOR_FILE)
    if not path.is_file():
        return ""
    for line in path.read_text(errors="replace").splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "InitiatorName":
            return value.strip()
    return ""


def requested(args: KernelArgs, live: Root) -> IscsiRoot | None:
    """The iSCSI root the kernel line asks for (None without `iscsi_install`)."""
    from ovirt_node.areas.iscsi import ISCSI_NAME

    if not args.has(INSTALL_ARG):
        return None
    server = args.get("iscsi_server") or ""
    address, _, port_text = server.partition(":")
    if not server:
        raise IscsiRootError("iscsi_install needs iscsi_server=ADDRESS[:PORT], the target's portal")
    if problem := IPv4Address().check(address):
        raise IscsiRootError(f"iscsi_server={server}: the address {problem}")
    if port_text and (problem := Port().check(port_text)):
        raise IscsiRootError(f"iscsi_server={server}: the port {problem}")
    target = args.get("iscsi_target_name") or ""
    if not target or (problem := ISCSI_NAME.check(target)):
        raise IscsiRootError(f"iscsi_target_name={target}: {problem or 'needed with iscsi_install'}")
    initiator = args.get("iscsi_name") or _live_initiator(live)
    if problem := ISCSI_NAME.check(initiator):
        raise IscsiRootError(f"iscsi_name={initiator}: {problem}" if initiator else
                             "iscsi_install needs iscsi_name=IQN: this system has no initiator name")
    lun_text = args.get("iscsi_init") or "1"
    if not lun_text.isdigit() or not 0 <= int(lun_text) < 16384:
        raise IscsiRootError(f"iscsi_init={lun_text}: must be the LUN's number (0 to 16383)")
    return IscsiRoot(address, int(port_text or DEFAULT_PORT), target, initiator, int(lun_text))


def login(root: IscsiRoot, live: Root, runner: Runner, bootif: str | None = None) -> str:
    """Log in to the target as the initiator and return the LUN's block device (/dev/sdX).
    The portal is given, not discovered: a target's SendTargets answer may name an address
    this network cannot reach (a NAT, a loopback portal)."""
    _network_up(root, bootif, live, runner)
    write_file_atomic(live(INITIATOR_FILE), f"InitiatorName={root.initiator}\n".encode(), 0o600)
    runner(["systemctl", "restart", "iscsid.service"])  # it reads the initiator name at start
    record = ["iscsiadm", "--mode", "node", "--targetname", root.target, "--portal", root.portal]
    runner([*record, "--op", "new"])
    done = runner([*record, "--login"], check=False, timeout=180)
    if done.returncode not in (0, 15):  # 15: already logged in
        said = (done.stderr or done.stdout).strip().splitlines()
        raise IscsiRootError(f"cannot log in to {root.target} at {root.portal} as {root.initiator}: "
                             f"{said[-1] if said else f'iscsiadm exited {done.returncode}'}")
    deadline = time.monotonic() + DEVICE_WAIT
    while not os.path.exists(root.by_path):
        if time.monotonic() > deadline:
            raise IscsiRootError(f"logged in to {root.target}, but LUN {root.lun} did not show up "
                                 f"({root.by_path}) within {DEVICE_WAIT} s")
        runner(["udevadm", "settle", "--timeout=5"], check=False)
        time.sleep(1)
    device = os.path.realpath(root.by_path)
    log.info("iSCSI root: %s is %s", root.by_path, device)
    return device


def _routes_to(address: str, runner: Runner) -> bool:
    return runner(["ip", "-j", "route", "get", address], check=False).returncode == 0


def boot_nic(bootif: str | None, live: Root) -> str | None:
    """The NIC `BOOTIF=` names (a name, a MAC, PXE's 01-MAC form), or without one (or `link`)
    the first with a link: what the initramfs picks for a network boot."""
    net = live("/sys/class/net")
    nics = sorted(p for p in net.iterdir() if (p / "device").exists()) if net.is_dir() else []
    wanted = (bootif or "").lower()
    if wanted.startswith("01-") and len(wanted) == 20:
        wanted = wanted[3:].replace("-", ":")
    for nic in nics:
        mac = (nic / "address").read_text().strip().lower() if (nic / "address").is_file() else ""
        if wanted in (nic.name.lower(), mac) and wanted:
            return nic.name
        carrier = (nic / "carrier").read_text(errors="replace").strip() if (nic / "carrier").is_file() else ""
        if wanted in ("", "link") and carrier == "1":
            return nic.name
    return None


def _network_up(root: IscsiRoot, bootif: str | None, live: Root, runner: Runner) -> None:
    """A route to the portal: the media's live system brings no network up by itself (the
    image sets no-auto-default), so without one the boot NIC gets DHCP through NetworkManager
    (a connection the node then keeps, as it keeps the installer's others)."""
    if _routes_to(root.address, runner):
        return
    nic = boot_nic(bootif, live)
    if nic is None:
        raise IscsiRootError(f"no route to the iSCSI portal {root.portal}, and no network interface "
                             f"{'named by BOOTIF=' + bootif if bootif else 'with a link'} to bring up")
    deadline = time.monotonic() + ROUTE_WAIT
    while True:
        runner(["nmcli", "--wait", "60", "device", "connect", nic], check=False, timeout=90)
        if _routes_to(root.address, runner):
            return
        if time.monotonic() > deadline:
            raise IscsiRootError(f"no route to the iSCSI portal {root.portal} after {ROUTE_WAIT} s of DHCP on {nic}: "
                                 "check that network's DHCP, or name another NIC with BOOTIF=")
        time.sleep(5)


def carrying_nic(root: IscsiRoot, runner: Runner) -> tuple[str, str]:
    """The NIC the session runs over (the route to the portal) and its MAC."""
    routes = json.loads(runner(["ip", "-j", "route", "get", root.address]).stdout or "[]")
    nic = routes[0].get("dev", "") if routes else ""
    address = Path(f"/sys/class/net/{nic}/address")
    if not nic or not address.is_file():
        raise IscsiRootError(f"no network interface routes to {root.address}")
    return nic, address.read_text().strip()


def with_boot_words(args: KernelArgs, words: list[str], storage_init: str) -> KernelArgs:
    """`args` plus the node's iSCSI boot arguments, and `storage_init=` the LUN unless given."""
    extra = [*words, *([] if args.has("storage_init") else [f"storage_init={storage_init}"])]
    return KernelArgs(args.args + parse(" ".join(extra)).args, args.init_args)
