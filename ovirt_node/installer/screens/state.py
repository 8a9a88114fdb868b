"""What the installer's screens work with: the machine, the media, the installed node (if
any), the live system, and the one way to turn choices into the engine's plan.

Everything here is read once at start (or in a worker) and then only asked; the screens never
call the engine themselves, so a dry run and a real run differ only in what `Installer` holds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ovirt_node.core import cmdline
from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.root import Root
from ovirt_node.installer.image import Decision, ImageVersion, Mode, NodeImage, decide
from ovirt_node.installer.plan import autoinstall, flows
from ovirt_node.installer.plan.disks import own_refusals, shown
from ovirt_node.installer.plan.layout import VG_NAME
from ovirt_node.installer.screens.choices import Choices, kernel_args, settings
from ovirt_node.installer.session import InstalledNode, Session
from ovirt_node.installer.steps.bootloader import carried_args
from ovirt_node.system.accounts import ADMIN_USER
from ovirt_node.system.machine.model import Disk, Machine
from ovirt_node.system.passcheck import hash_matches

log = logging.getLogger(__name__)

#: The Data volume below this size is worth a warning on the Confirm screen (MiB).
SMALL_DATA = 50 * 1024


@dataclass
class Installer:
    machine: Machine
    session: Session
    #: None only for an uninstall-only run (no media).
    image: NodeImage | None
    installed: InstalledNode | None
    dry_run: bool
    #: The live system (keymaps, the console).
    live: Root = field(default_factory=Root)
    log_path: Path | None = None
    #: The admin's hash in the installed node's shadow; None: not read yet.
    _admin_hash: str | None = field(default=None, repr=False)
    #: Applies a keymap to the console (None: leave the console alone, as a dry run does).
    keymap_applier: Callable[[str], None] | None = None
    #: Why there is no image (the media could not be read): shown, and Install says it.
    media_problem: str = ""
    #: The kernel line that named the answers file (`answers=`): its settings (hostname=,
    #: sshkey=, ...) and boot arguments go to the node as an auto-install's would.
    kernel_line: KernelArgs | None = None

    # -- what is there ----------------------------------------------------------------------

    @property
    def has_node(self) -> bool:
        return autoinstall.has_node(self.machine)

    def decision(self) -> Decision | None:
        """The engine's welcome logic for the media against the installed node; None when
        there is nothing to compare (no node, or a version that cannot be read)."""
        if self.image is None or self.installed is None:
            return None
        if not (self.image.version.known and self.installed.active.version.known):
            return None
        return decide(self.installed.active.version, self.image.version)

    def actions(self) -> list[tuple[str, str, str]]:
        """(mode, label, reason it is unavailable or "") for the Welcome screen, best first."""
        media = _short(self.image.version) if self.image else "(no media)"
        no_image = "" if self.image else f"no node image to install from: {self.media_problem or 'none given'}"
        if not self.has_node:
            return [("install", f"Install {media}", no_image), ("uninstall", "Uninstall nothing installed",
                                                                 f"no {VG_NAME} on this machine")]
        installed = _short(self.installed.active.version) if self.installed else "the node"
        found: list[tuple[str, str, str]] = []
        decision = self.decision()
        if decision is None:  # a version that cannot be read (a dry run), no node, or no image
            unread = "" if self.installed else f"no installed node was found ({VG_NAME} holds no readable image)"
            found.append(("upgrade", f"Upgrade {installed} -> {media}", no_image or unread))
        elif decision.mode is Mode.UPGRADE:
            found.append(("upgrade", f"Upgrade {installed} -> {media}", decision.blocked or ""))
        elif decision.mode is Mode.DOWNGRADE:
            found.append(("downgrade", f"Downgrade {installed} -> {media}", decision.blocked or ""))
        found.append(("reinstall", f"Reinstall {media} (config lost)", no_image))
        found.append(("uninstall", "Uninstall erase the node", ""))
        return found

    def disk_rows(self, wipe_fakeraid: bool = False) -> list[tuple[Disk, list[str]]]:
        """Every disk, with why it can never be chosen (empty: it can)."""
        return [(d, own_refusals(self.machine, d, wipe_fakeraid)) for d in shown(self.machine)]

    def disk_by_name(self, name: str) -> Disk | None:
        # A multipath path is found too, so that its refusal names the device to choose instead.
        return next((d for d in (*shown(self.machine), *self.machine.disks) if name in (d.by_id, d.path, d.name)),
                    None)

    @staticmethod
    def stable_name(disk: Disk) -> str:
        return disk.by_id or disk.path

    # -- the plan ---------------------------------------------------------------------------

    def plan(self, choices: Choices) -> autoinstall.Plan:
        """The engine's plan for `choices` (InstallRefused, LayoutError, SizeError,
        DiskSelectionError when it cannot be made)."""
        args = kernel_args(choices, self.boot_words())
        request = autoinstall.read_request(args)
        image = None if choices.mode == "uninstall" else self.image
        return autoinstall.build(self.session, self.machine, args, image, request, self.installed,
                                 settings(choices))

    def boot_words(self) -> list[str]:
        """The media's own kernel arguments that the installed node keeps booting with, as an
        auto-install's (console=, ...): without them a node installed from a serial console
        would boot without one. Installer arguments, secrets and the config engine's settings
        are left to the screens. None in a dry run or where /proc/cmdline cannot be read.
        A kernel line that named the answers file keeps its settings too (but not its
        installer arguments and secrets): the answers add to it, as they would on the line.
        BOOTIF= is both: the NIC the media booted from (a network install's boot.ipxe always
        gives it) and the node's network; dropped here, a node installed over the network
        had no network at all. The engine takes it; the node's boot line does not."""
        if self.kernel_line is not None:
            carried = set(carried_args(self.kernel_line))
            return [arg.raw for arg in self.kernel_line if arg.raw in carried or arg.name == "BOOTIF"]
        if self.dry_run:
            return []
        try:
            live = cmdline.read(self.live)
        except OSError:
            return []
        return carried_args(live, flows.consumed_by_engine(live))

    def plan_lines(self, plan: autoinstall.Plan) -> list[str]:
        return flows.plan_lines(plan.transaction, self.session.ctx)

    # -- the installed node's admin ---------------------------------------------------------

    def admin_hash(self) -> str:
        """The admin's crypt(3) hash on the installed node ("" when it has none). A dry run
        cannot mount the node's Config volume: the live root's shadow stands in for it."""
        if self._admin_hash is None:
            self._admin_hash = self._read_admin_hash()
        return self._admin_hash

    def _read_admin_hash(self) -> str:
        if self.dry_run:
            from ovirt_node.system.accounts import password_state

            return password_state(self.live, ADMIN_USER).hash
        from ovirt_node.installer.installed import persisted_file

        data = persisted_file(self.session, "/etc/shadow")
        return shadow_hash(data.decode(errors="replace"), ADMIN_USER) if data else ""

    def check_admin_password(self, password: str) -> bool:
        """Whether `password` is the installed node's admin password (crypt(3) of libcrypt)."""
        return hash_matches(password, self.admin_hash())


def _short(version: ImageVersion) -> str:
    return f"{version.version}-{version.release}" if version.known else "(version not read)"


def shadow_hash(text: str, user: str) -> str:
    for line in text.splitlines():
        parts = line.split(":")
        if len(parts) > 1 and parts[0] == user:
            return parts[1]
    return ""
