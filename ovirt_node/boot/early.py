"""The boot services' work around the pure decision (decision.py): look at the disks, restore
/config, remember the plan in /run for the later units, apply kernel arguments, run the
on-boot hooks, and put the right program on the consoles.

    early  (ovirt-node-early.service, before local-fs.target)  storage, /config, the plan
    late   (ovirt-node-boot.service, multi-user)              kernel args, hooks, consoles
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import struct
import termios
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ovirt_node.boot.decision import BootPlan, Mode, Source, decide, source
from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.defaults import DEFAULTS_PATH
from ovirt_node.core.root import HOST, Root
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.installer.plan.layout import VG_NAME
from ovirt_node.installer.steps.hooks import run_hooks
from ovirt_node.persist.paths import PersistError
from ovirt_node.persist.store import Store

if TYPE_CHECKING:  # the engine is imported only when kernel arguments are applied
    from ovirt_node.core.kernelargs import AreaResult

log = logging.getLogger(__name__)

STATE_DIR = "/run/ovirt-node"
PLAN_FILE = f"{STATE_DIR}/boot.json"
LATE_FILE = f"{STATE_DIR}/late.json"
CONSOLE_DIR = f"{STATE_DIR}/console"
CONFIG_MOUNT = "/config"
CONFIG_DEVICE = f"/dev/mapper/{VG_NAME}-Config"
FSTAB = "/etc/fstab"
SHADOW = "/etc/shadow"
#: A persisted one of these means the node was configured (settings, or the admin password).
CONFIGURED_MARKS = (DEFAULTS_PATH, SHADOW)
ON_BOOT = "on-boot"
#: What each mode runs on its consoles.
PROGRAMS: dict[Mode, list[str]] = {
    Mode.AUTO_INSTALL: ["ovirt-node-installer", "--auto"],
    Mode.INSTALLER: ["ovirt-node-installer"],
    Mode.FIRSTBOOT: ["ovirt-node-setup"],
}


def is_configured(root: Root, config_dir: str = CONFIG_MOUNT) -> bool:
    return any(root(config_dir + path).exists() for path in CONFIGURED_MARKS)


def mount_config(root: Root, runner: Runner) -> bool:
    """Activate HostVG and mount its Config volume on /config; False when there is no HostVG."""
    runner(["vgchange", "--activate", "y", VG_NAME], check=False, timeout=120)
    if not root(CONFIG_DEVICE).exists():
        return False
    root(CONFIG_MOUNT).mkdir(exist_ok=True)
    if not os.path.ismount(root(CONFIG_MOUNT)):
        runner(["mount", "-o", "noatime", str(root(CONFIG_DEVICE)), str(root(CONFIG_MOUNT))], timeout=120)
    return True


def mount_points(root: Root) -> list[str]:
    """The directories the persisted fstab mounts on (not swap, not the root)."""
    try:
        text = root(FSTAB).read_text(errors="replace")
    except OSError:
        return []
    points = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) > 2 and not fields[0].startswith("#") and fields[1].startswith("/") and fields[1] != "/":
            points.append(fields[1].replace("\\040", " "))
    return points


def restore(root: Root, runner: Runner) -> None:
    """Every persisted path back in place, then the persisted fstab's volumes (Logging on
    /var/log, Data on /data) and swap. A path that cannot be restored is logged, not fatal."""
    try:
        restored = Store(root).restore()
        log.info("restored %d persisted path(s)", len(restored))
    except PersistError as exc:
        log.error("restoring /config: %s", exc)
    name = node_hostname(root)
    if name and root.is_host:  # before the daemons that read it once at start (collectd)
        runner(["hostname", name], check=False)
    for point in mount_points(root):
        root(point).mkdir(parents=True, exist_ok=True)  # the image has no /data, say
    for command in (["mount", "--all"], ["swapon", "--all"]):
        result = runner(command, check=False, timeout=300)
        if not result.ok:
            log.error("%s: %s", " ".join(command), result.stderr.strip())
    log_folders(root)


def node_hostname(root: Root) -> str | None:
    """The node's host name from its restored /etc/hostname. systemd set the kernel's from the
    image's ("localhost") before /config was restored, and NetworkManager sets it only later:
    daemons started in between (collectd names its values by it) would say "localhost"."""
    try:
        name = root("/etc/hostname").read_text().strip()
    except (OSError, ValueError):
        return None
    return name if name and name != "localhost" and "\n" not in name else None


#: The image's own root, as the initramfs mounted it (below the overlay).
IMAGE_ROOT = "/run/initramfs/squashfs"


def log_folders(root: Root) -> list[str]:
    """The image's /var/log folders on the Logging volume mounted over it: daemons expect
    theirs (libvirt's qemu/, chrony's, tuned's) and do not make them (libvirtd cannot start a
    guest without /var/log/libvirt/qemu). Mode and owner as in the image; what the volume
    already has is left alone. Returns the folders made."""
    image_log = root(f"{IMAGE_ROOT}/var/log")
    made = []
    for folder in sorted(p for p in image_log.rglob("*") if p.is_dir() and not p.is_symlink()):
        relative = folder.relative_to(image_log)
        target = root("/var/log") / relative
        if target.exists() or target.is_symlink():
            continue
        info = folder.stat()
        try:
            target.mkdir()
            os.chown(target, info.st_uid, info.st_gid)
            os.chmod(target, info.st_mode & 0o7777)
        except OSError as exc:
            log.error("making /var/log/%s: %s", relative, exc)
            continue
        made.append(f"/var/log/{relative}")
    if made:
        log.info("made the image's log folders on the Logging volume: %s", ", ".join(made))
    return made


def host_keys(root: Root, runner: Runner, persist: bool) -> None:
    """SSH host keys: the image ships none (every node needs its own); made on the first boot
    and, on an installed node, persisted so they stay the same."""
    if any(root("/etc/ssh").glob("ssh_host_*_key")):
        return
    runner(["ssh-keygen", "-A", "-f", str(root("/"))], check=False, timeout=300)
    if not persist:
        return
    store = Store(root)
    for key in sorted(root("/etc/ssh").glob("ssh_host_*")):
        try:
            store.persist(f"/etc/ssh/{key.name}")
        except PersistError as exc:
            log.error("persisting the SSH host key: %s", exc)


def write_plan(root: Root, plan: BootPlan) -> None:
    state = root(STATE_DIR)
    (state / "console").mkdir(parents=True, exist_ok=True)
    root(PLAN_FILE).write_text(json.dumps(asdict(plan), indent=1) + "\n")
    for tty in plan.consoles:
        root(f"{CONSOLE_DIR}/{tty}").write_text(plan.mode.value + "\n")


def read_plan(root: Root) -> BootPlan:
    data = json.loads(root(PLAN_FILE).read_text())
    return BootPlan(Mode(data["mode"]), bool(data["mount_config"]), bool(data["apply_kernel_args"]),
                    tuple(data["consoles"]), str(data["reason"]))


def early(root: Root = HOST, runner: Runner | None = None) -> BootPlan:
    runner = runner or Runner()
    args = cmdline.read(root)
    plan = decide(args, has_node=False, configured=False)
    if plan.mode is not Mode.STATELESS and source(args) is Source.DISK:
        has_node = mount_config(root, runner)
        plan = decide(args, has_node, has_node and is_configured(root))
        if plan.mount_config:
            restore(root, runner)
    host_keys(root, runner, plan.mount_config)
    write_plan(root, plan)
    print(f"ovirt-node: {plan.mode}: {plan.reason}", flush=True)
    return plan


def apply_kernel_args(root: Root, runner: Runner) -> list[AreaResult]:
    """The kernel arguments as settings (3.x's ovirt-early for a node not configured yet),
    area by area: one that cannot apply is rolled back and reported, the others still apply."""
    from ovirt_node.areas.registry import all_sections
    from ovirt_node.core.engine import Engine
    from ovirt_node.core.kernelargs import apply_by_area, changes_from_kernel_args

    ctx = Context(root=root, runner=runner)
    engine = Engine(ctx, all_sections())
    found = changes_from_kernel_args(engine, cmdline.read(root))
    for arg, reason in found.rejected:
        print(f"ovirt-node: kernel argument {arg} skipped: {reason}", flush=True)
    results = apply_by_area(engine, found.changes)
    for result in results:
        print(f"ovirt-node: kernel arguments: {result}", flush=True)
    return results


@dataclass(frozen=True)
class LateResult:
    """What `late` did: the boot plan, and what failed (each line as printed on the console)."""

    plan: BootPlan
    failures: tuple[str, ...] = ()


def late(root: Root = HOST, runner: Runner | None = None) -> LateResult:
    """Kernel arguments, on-boot hooks, then the consoles; a failure of the first two is
    reported and the boot goes on (the node must come up to be fixed), but the result says it,
    so ovirt-node-boot.service fails visibly (`systemctl --failed`)."""
    runner = runner or Runner()
    plan = read_plan(root)
    failures: list[str] = []
    if plan.apply_kernel_args:
        try:
            failures += [f"kernel arguments: {r}" for r in apply_kernel_args(root, runner) if not r.ok]
        except Exception as exc:  # the node must still come up to be fixed
            log.exception("applying the kernel arguments failed")
            failures.append(f"applying the kernel arguments failed: {exc}")
            print(f"ovirt-node: {failures[-1]}", flush=True)
    try:
        run_hooks(Context(root=root, runner=runner), ON_BOOT, {"OVIRT_NODE_BOOT_MODE": plan.mode.value})
    except CommandError as exc:
        failures.append(f"an on-boot hook failed: {exc}")
        print(f"ovirt-node: {failures[-1]}", flush=True)
    for tty in plan.consoles:
        runner(["systemctl", "--no-block", "start", f"ovirt-node-console@{tty}.service"], check=False)
    # For ovirt-node-boot-report.service, which waits for the network to report the boot.
    root(LATE_FILE).write_text(json.dumps({"failures": failures}) + "\n")
    return LateResult(plan, tuple(failures))


def console_program(root: Root, tty: str) -> tuple[list[str], dict[str, str]]:
    """The argv and environment of what runs on `tty` instead of a login prompt."""
    mode = Mode(root(f"{CONSOLE_DIR}/{tty}").read_text().strip())
    term = "vt220" if tty.startswith("ttyS") else "linux"
    return PROGRAMS[mode], {"TERM": term, "LANG": "C.UTF-8"}


#: A serial line has no size (0x0) until someone sets it; the TUI then draws nothing.
SERIAL_SIZE = (24, 80)


def ensure_size(fd: int) -> bool:
    """Give the terminal on `fd` the serial default size when it has none; True if set."""
    rows, cols, *_ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, bytes(8)))
    if rows and cols:
        return False
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", *SERIAL_SIZE, 0, 0))
    return True


def console_done(root: Root, tty: str, runner: Runner) -> None:
    """The program on `tty` ended: the login prompt takes its place."""
    root(f"{CONSOLE_DIR}/{tty}").unlink(missing_ok=True)
    getty = "serial-getty" if tty.startswith("ttyS") else "getty"
    runner(["systemctl", "--no-block", "start", f"{getty}@{tty}.service"], check=False)
