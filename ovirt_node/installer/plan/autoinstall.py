"""An installation driven by the kernel command line (3.x's auto-install), and the mode logic
shared with `ovirt-node-installer`.

One transaction: storage -> image -> bootloader -> configuration -> hooks. On failure nothing
reboots: the failed step, the error and the log's path are shown and the log is kept. The
`node.break=` stages drop to a shell for debugging (pre-installer, post-installer,
pre-reboot); `reboot_delay=` waits that many seconds before rebooting.
"""

from __future__ import annotations

import logging
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ovirt_node.core.cmdline import BadSwitch, KernelArgs, switch
from ovirt_node.core.run import CommandError
from ovirt_node.core.transaction import Progress, Transaction, TransactionError
from ovirt_node.installer.image import ImageError, Mode, NodeImage, decide
from ovirt_node.installer.plan import disks as disk_selection
from ovirt_node.installer.plan import flows
from ovirt_node.installer.plan.layout import VG_NAME, Layout, plan
from ovirt_node.installer.plan.request import from_kernel_args
from ovirt_node.installer.session import InstalledNode, Session
from ovirt_node.system.machine.model import Machine

log = logging.getLogger(__name__)

BREAK_STAGES = ("pre-installer", "post-installer", "pre-reboot")
UNINSTALL = "uninstall"


class InstallRefused(ValueError):
    """The request cannot be carried out safely; the message says why (nothing was touched)."""


@dataclass(frozen=True)
class Request:
    mode: str | None  # install, upgrade, reinstall, uninstall; None = decide from the disks
    force: bool
    break_at: str | None
    reboot_delay: int


def read_request(args: KernelArgs) -> Request:
    """The mode and run options of the command line (bad values refused with the reason)."""
    try:
        # firstboot=0 / reinstall=no ask for no reinstall (3.x's is_firstboot): only "on" counts.
        on = {name: switch(args, name) for name in ("install", "upgrade", "updateonly", "firstboot", "uninstall")}
        modes = [m for m, names in (("install", ("install",)), ("upgrade", ("upgrade", "updateonly")),
                                    ("reinstall", ("firstboot",)), (UNINSTALL, ("uninstall",)))
                 if any(on[n] for n in names)]
        force = bool(switch(args, "force"))
    except BadSwitch as exc:
        raise InstallRefused(str(exc)) from None
    if len(modes) > 1:
        raise InstallRefused(f"conflicting modes on the command line: {', '.join(modes)}")
    if not modes and args.has("iscsi_install"):  # 3.x's name says install (onto the LUN)
        modes = ["install"]
    stage = args.get("node.break")
    if args.has("node.break") and stage not in BREAK_STAGES:
        raise InstallRefused(f"node.break={stage}: expected one of {', '.join(BREAK_STAGES)}")
    delay_text = args.get("reboot_delay") or "0"
    if not delay_text.isdigit():
        raise InstallRefused(f"reboot_delay={delay_text}: expected a number of seconds")
    return Request(modes[0] if modes else None, force, stage, int(delay_text))


def has_node(machine: Machine) -> bool:
    return any(vg.name == VG_NAME for vg in machine.volume_groups)


def node_disks(machine: Machine) -> list[str]:
    return [d for vg in machine.volume_groups if vg.name == VG_NAME for d in vg.disks]


@dataclass(frozen=True)
class Plan:
    transaction: Transaction
    #: The storage layout of an install or reinstall (None for the other modes).
    layout: Layout | None = None


def find_installed(session: Session, machine: Machine) -> InstalledNode | None:
    """The installed node: the EFI partition of a HostVG disk and what the slots hold."""
    for disk in (d for d in machine.disks if d.name in node_disks(machine)):
        try:
            return flows.inspect(session, session.devices.partition(disk, 2))
        except (ImageError, OSError, CommandError) as exc:
            log.info("%s: no installed node found: %s", disk.name, exc)
    return None


def build(session: Session, machine: Machine, args: KernelArgs, image: NodeImage | None,
          request: Request, installed: InstalledNode | None,
          settings: Mapping[str, str] | None = None) -> Plan:
    """What the command line asks for. InstallRefused when it is unsafe. `settings` are
    engine values the installer's screens add to an install or upgrade (a typed password)."""
    mode = request.mode
    if mode == UNINSTALL:
        chosen = [d for d in disk_selection.shown(machine) if d.name in node_disks(machine)]
        if not chosen:
            raise InstallRefused(f"nothing to uninstall: no {VG_NAME} volume group on this machine")
        _refuse(disk_selection.refusals(machine, chosen))
        return Plan(flows.uninstall(session, chosen))
    if image is None:
        raise InstallRefused("no node image to install from")
    versions_known = image.version.known and (installed is None or installed.active.version.known)
    if mode is None and not versions_known:
        raise InstallRefused(_unknown_versions(machine, image, installed))
    if mode is None:
        decision = decide(installed.active.version if installed else None, image.version, request.force)
        if decision.blocked:
            raise InstallRefused(decision.blocked)
        if decision.mode in (Mode.REINSTALL, Mode.DOWNGRADE) and installed is not None:
            # Never wipe a node's configuration or go back a version unasked.
            raise InstallRefused(f"the installed {installed.active.version} is the same as or newer than the "
                                 f"media's {image.version}: say reinstall (its configuration is lost) or "
                                 "upgrade force (a downgrade)")
        mode = decision.mode.value
    if mode in (Mode.UPGRADE.value, Mode.DOWNGRADE.value):
        if installed is None:
            raise InstallRefused(f"upgrade asked for, but no installed node was found ({VG_NAME} holds no image)")
        decision = decide(installed.active.version, image.version, request.force)
        if decision.blocked and versions_known:
            raise InstallRefused(decision.blocked)
        return Plan(flows.upgrade(session, installed, image, settings))
    if mode == Mode.INSTALL.value and has_node(machine):
        raise InstallRefused(f"a node is installed ({VG_NAME} exists); use upgrade or reinstall")
    wanted = from_kernel_args(args)
    chosen = disk_selection.select(machine, wanted.disks)
    reasons = disk_selection.refusals(machine, chosen, wanted.wipe_fakeraid)
    left = sorted(set(node_disks(machine)) - {d.name for d in chosen})
    if left and not any(VG_NAME in r for r in reasons):
        reasons.append(f"the installed node's {VG_NAME} is also on {', '.join(left)}, which is not selected; "
                       "select it too (reinstall) or uninstall first")
    _refuse(reasons)
    layout = plan(machine, chosen, wanted.sizes)
    return Plan(flows.install(session, layout, image, args, settings), layout)


def _unknown_versions(machine: Machine, image: NodeImage, installed: InstalledNode | None) -> str:
    """Why the mode cannot be chosen from the versions, naming the version that is unknown."""
    if not has_node(machine):
        return f"no node is installed (no {VG_NAME}), and the media's version could not be read here: say install"
    unknown = [what for what, known in (("the installed node's", installed is not None
                                         and installed.active.version.known),
                                        ("the media's", image.version.known)) if not known]
    versions = f"{' and '.join(unknown)} {'versions' if len(unknown) > 1 else 'version'}"
    return (f"a node is installed ({VG_NAME}), and {versions} could not be read here: "
            "say upgrade, reinstall or uninstall")


def _refuse(reasons: list[str]) -> None:
    if reasons:
        raise InstallRefused("refusing to install:\n  " + "\n  ".join(reasons))


def debug_shell(stage: str) -> None:
    """node.break: an interactive shell on the console; the install goes on when it exits."""
    print(f"node.break={stage}: starting a shell; exit it to continue", flush=True)
    log.info("node.break=%s: running /bin/sh", stage)
    subprocess.call(["/bin/sh", "-i"])


def run(tx: Transaction, session: Session, request: Request,
        progress: Callable[[Progress], None], reboot: Callable[[], None] | None) -> int:
    """Run the transaction with the break points; reboot (after the delay) only on success."""
    if request.break_at == "pre-installer":
        debug_shell("pre-installer")
    try:
        tx.run(session.ctx, progress)
    except TransactionError as exc:
        where = session.log_file or "the journal"
        print(f"\n{tx.title} FAILED at: {exc.step}\n  {exc.reason}\n"
              f"The log is kept at {where}. The machine was not rebooted.", flush=True)
        return 1
    if request.break_at == "post-installer":
        debug_shell("post-installer")
    print(f"\n{tx.title}: done.", flush=True)
    if reboot is not None:
        if request.break_at == "pre-reboot":
            debug_shell("pre-reboot")
        if request.reboot_delay:
            print(f"Rebooting in {request.reboot_delay} s.", flush=True)
            time.sleep(request.reboot_delay)
        reboot()
    return 0
