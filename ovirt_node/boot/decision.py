"""What a boot of the node does, decided from the kernel arguments and the disks (3.x's
ovirt-early + ovirt-firstboot logic), as one pure function.

    stateless                          -> STATELESS: kernel arguments -> configuration in RAM;
                                          no disk is touched
    boot media + storage_init, upgrade,
      reinstall/firstboot, uninstall
      answers= or iscsi_install        -> AUTO_INSTALL: `ovirt-node-installer --auto` on the
                                          main console
    boot media otherwise               -> INSTALLER: the installer on the main console
    the node's disk, configured        -> NORMAL: /config restored, the login prompts
    the node's disk, not configured    -> FIRSTBOOT: /config restored, kernel arguments ->
                                          configuration, the setup TUI on tty1 and on each
                                          serial console named by console=
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ovirt_node.core.cmdline import BadSwitch, KernelArgs, switch
from ovirt_node.installer.plan.layout import VG_NAME


class Mode(StrEnum):
    STATELESS = "stateless"
    AUTO_INSTALL = "auto-install"
    INSTALLER = "installer"
    FIRSTBOOT = "firstboot"
    NORMAL = "normal"


class Source(StrEnum):
    MEDIA = "media"  # CD, USB stick, PXE: root=live:CDLABEL=... (or any non-HostVG device)
    DISK = "disk"  # an installed node's image slot: rd.lvm.lv=HostVG/<slot>


#: Arguments that make a media boot an unattended installer run.
AUTO_INSTALL_ARGS = ("storage_init", "upgrade", "updateonly", "reinstall", "firstboot", "uninstall", "answers",
                     "iscsi_install")
#: The console that takes the text screen's place (the kernel's console=tty0 is the active VT).
TEXT_CONSOLE = "tty1"


@dataclass(frozen=True)
class BootPlan:
    mode: Mode
    #: Activate HostVG, mount /config, restore the persisted files, mount fstab's volumes.
    mount_config: bool
    #: Turn the kernel arguments into configuration (settings of the config sections).
    apply_kernel_args: bool
    #: Consoles (tty names) that run the mode's program instead of a login prompt.
    consoles: tuple[str, ...]
    reason: str


def source(args: KernelArgs) -> Source:
    """Where the image was booted from: the installer writes `rd.lvm.lv=HostVG/<slot>` on the
    node's own kernel line; the media's has none."""
    lvs = [value or "" for value in args.get_all("rd.lvm.lv")]
    return Source.DISK if any(lv.split("/", 1)[0] == VG_NAME for lv in lvs) else Source.MEDIA


def consoles(args: KernelArgs) -> tuple[str, list[str]]:
    """The main console (the kernel's /dev/console: the last `console=`) and every console
    named, as tty names (`ttyS0,115200n8` -> `ttyS0`, `tty0` -> the text console)."""
    names: list[str] = []
    for value in args.get_all("console"):
        name = (value or "").split(",", 1)[0].removeprefix("/dev/")
        if name == "tty0" or not name:
            name = TEXT_CONSOLE
        if name.startswith("tty") and name not in names:
            names.append(name)
        elif name in names:
            names.remove(name)
            names.append(name)
    main = names[-1] if names else TEXT_CONSOLE
    return main, names or [TEXT_CONSOLE]


def decide(args: KernelArgs, has_node: bool, configured: bool) -> BootPlan:
    """The boot plan for `args` (the kernel command line), whether HostVG exists and whether
    its Config volume holds a configuration."""
    main, named = consoles(args)
    try:
        stateless = switch(args, "stateless")
    except BadSwitch as exc:
        # Not a stateless boot: the disks are left to the usual rules, and the reason says why.
        stateless, ignored = False, f" ({exc}; ignored)"
    else:
        ignored = ""
    if stateless:
        return BootPlan(Mode.STATELESS, False, True, (), "configuration from the kernel arguments "
                        "only, kept in memory; no disk is touched")
    if source(args) is Source.MEDIA:
        # A malformed mode argument still starts the installer run, which refuses it with the
        # reason before touching a disk; firstboot=0 and the like ask for nothing.
        asked = [name for name in AUTO_INSTALL_ARGS if args.has(name) and _not_off(args, name)]
        if asked:
            return BootPlan(Mode.AUTO_INSTALL, False, False, (main,),
                            f"boot media with {', '.join(asked)}: unattended installer run")
        return BootPlan(Mode.INSTALLER, False, False, (main,), "boot media: the installer on the console" + ignored)
    if not has_node:
        return BootPlan(Mode.FIRSTBOOT, False, True, tuple(_setup_consoles(named)),
                        f"booted from a {VG_NAME} slot but no {VG_NAME} was found: nothing to restore")
    if configured:
        return BootPlan(Mode.NORMAL, True, False, (), "installed and configured" + ignored)
    return BootPlan(Mode.FIRSTBOOT, True, True, tuple(_setup_consoles(named)),
                    "installed, not configured yet: the setup TUI on the console" + ignored)


def _not_off(args: KernelArgs, name: str) -> bool:
    if name in ("storage_init", "answers", "iscsi_install"):  # a disk list, a URL, a flag: not switches
        return True
    try:
        return switch(args, name) is not False
    except BadSwitch:
        return True


def _setup_consoles(named: list[str]) -> list[str]:
    """The text console and every serial console named on the command line."""
    return [TEXT_CONSOLE, *(name for name in named if name.startswith("ttyS"))]
