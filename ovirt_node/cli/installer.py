"""`ovirt-node-installer`: install, upgrade, reinstall or uninstall the node.

The mode comes from the kernel arguments (`install`, `upgrade`, `reinstall`/`firstboot`,
`uninstall`) or, without one, from the disks: no HostVG -> install; else the media's version
against the installed one. `--dry-run` prints the plan — disks, partitions, volumes, every
step and every command — and touches nothing. `--auto` reads /proc/cmdline (the PXE/boot
media auto-install) and reboots when done; `answers=URL` on that line (or in `--cmdline`) fetches
the answers file from a web server (`answers_sha256=` pins it). On a terminal without those (or with `--tui`) the
installer's screens ask what to do; `--answers FILE` gives their values (and which screens
still ask), so the same installation runs unattended (see docs/installer.md).
Exit status: 0 done (or planned), 1 a step failed (the log says more), 2 refused (the message
says why; nothing was touched).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from ovirt_node.cli.common import add_common_options, console_parser, root_from, setup_logging
from ovirt_node.cli.install_output import print_plan, refused
from ovirt_node.cli.install_reported import run_reported
from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.platform import PlatformError, detect, load
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.installer import answers_url, iscsi_root
from ovirt_node.installer.devices import LvmDevices
from ovirt_node.installer.image import UNKNOWN, ImageError, ImageVersion, NodeImage
from ovirt_node.installer.media import media
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.plan.disks import DiskSelectionError
from ovirt_node.installer.plan.layout import LayoutError
from ovirt_node.installer.plan.sizes import SizeError
from ovirt_node.installer.screens.answers import AnswersError, Fetched
from ovirt_node.installer.session import PRODUCT, InstalledNode, Session
from ovirt_node.installer.steps.bootloader import Slot
from ovirt_node.installer.steps.storage import Target
from ovirt_node.report.lifecycle import send_event
from ovirt_node.system.machine.model import Machine
from ovirt_node.system.machine.probe import probe
from ovirt_node.system.machine.profile import ProfileError, load_profile, profile_path

DEFAULT_MEDIA = "/run/initramfs/live"
DEFAULT_LOG = "/var/log/ovirt-node/installer.log"
WORKDIR = "/run/ovirt-node/installer"

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-installer", __doc__.splitlines()[0])
    add_common_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the plan and every command; change nothing")
    parser.add_argument("--json", action="store_true", help="with --dry-run: the plan (or the refusal) as one JSON "
                        "object: changed, steps (each with its commands), warnings, diff, error")
    parser.add_argument("--machine", metavar="FILE|NAME", help="plan for a machine profile (with --dry-run)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--cmdline", metavar="ARGS", help="kernel arguments to act on (storage_init=, storage_vol=, "
                        "mem_overcommit=, wipe_fakeraid, the mode, and any setting); default: none")
    source.add_argument("--auto", action="store_true", help="act on /proc/cmdline and reboot when done")
    parser.add_argument("--image", metavar="DIR|ISO|DEVICE", default=DEFAULT_MEDIA,
                        help=f"the node image: a mounted media directory, an .iso file or a device "
                             f"(default {DEFAULT_MEDIA}, the boot media)")
    parser.add_argument("--log", metavar="FILE", default=DEFAULT_LOG, help="the install log (copied onto the node)")
    parser.add_argument("--tui", action="store_true",
                        help="the installer's screens (the default on a terminal without --cmdline/--auto/--dry-run)")
    parser.add_argument("--answers", metavar="FILE", help="the screens' values from a TOML file; the screens it "
                        "keeps interactive are asked, the rest answered (none asked: no screens at all)")
    parser.add_argument("--basic", action="store_true", help="screens in ASCII only, no colour (serial consoles)")
    parser.add_argument("--mono", action="store_true", help="screens without colour")
    return parser


def _machine(spec: str | None, args: argparse.Namespace) -> Machine:
    if spec:
        return load_profile(spec if "/" in spec or spec.endswith(".json") else profile_path(spec))
    return probe(root_from(args))


def _wants_screens(args: argparse.Namespace) -> bool:
    """--tui, or a terminal and nothing else that says what to do."""
    if args.auto:
        return False
    if args.tui:
        return True
    return not (args.dry_run or args.cmdline or args.answers) and sys.stdin.isatty() and sys.stdout.isatty()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    if args.json and not args.dry_run:
        print("ovirt-node-installer: --json describes a plan only; add --dry-run", file=sys.stderr)
        return 2
    if args.machine and not args.dry_run:
        print("ovirt-node-installer: --machine plans only; add --dry-run", file=sys.stderr)
        return 2
    if (args.tui or args.answers) and (args.auto or args.cmdline is not None):
        print("ovirt-node-installer: --tui and --answers take no --auto or --cmdline", file=sys.stderr)
        return 2
    root = root_from(args)
    kargs = cmdline.read(root) if args.auto else cmdline.parse(args.cmdline or "")
    log_file: logging.Handler | None = None

    def report(result: str, detail: str) -> None:
        """A lifecycle event (report_url= of these kernel arguments, else the live root's setting)."""
        send_event(root, "install", result, detail, log_excerpt=Path(args.log), kernel_args=kargs)

    if not args.dry_run:
        log_path = Path(args.log)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = logging.FileHandler(log_path)
        log_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(log_file)
        logging.getLogger().setLevel(logging.INFO)
    try:
        fetched = _answers_from_kernel_line(kargs, args)
        runner = Runner(dry_run=args.dry_run)
        kargs = _iscsi_root(kargs, root, runner)
        machine = _machine(args.machine, args)
        request = autoinstall.read_request(kargs)
        try:
            platform = detect(root)
        except PlatformError:
            platform = load("el")
        session = Session(ctx=Context(root=root, runner=runner, dry_run=args.dry_run), platform=platform,
                                devices=LvmDevices(), target=Target(Path(WORKDIR)),
                                uefi=machine.firmware == "uefi", log_file=None if args.dry_run else Path(args.log),
                                live=root)
        with ExitStack() as stack:
            image, media_problem = None, ""
            if request.mode == autoinstall.UNINSTALL:
                pass
            elif args.dry_run and not Path(args.image).is_dir():
                image = _placeholder_image(args.image)  # a dry run mounts nothing
            else:
                try:
                    image = stack.enter_context(media(Path(args.image), Path(WORKDIR) / "media", runner))
                except ImageError as exc:
                    if not (args.answers or _wants_screens(args)):
                        raise
                    media_problem = str(exc)  # the screens still offer what needs no image
            installed = _installed(session, machine, args.dry_run)
            if fetched is not None or args.answers or _wants_screens(args):
                from ovirt_node.cli.install_screens import screens_main

                return screens_main(args, machine, session, image, installed, root, media_problem,
                                    fetched=fetched, kernel_line=kargs if fetched else None, report=report)
            plan = autoinstall.build(session, machine, kargs, image, request, installed)
            if args.dry_run:
                print_plan(machine, plan, session.ctx, args.json)
                return 0

            def reboot() -> None:
                runner(["systemctl", "reboot"])

            return run_reported(plan.transaction, session, request, report, reboot if args.auto else None)
    except (ProfileError, SizeError, LayoutError, DiskSelectionError, ImageError,
            autoinstall.InstallRefused, AnswersError, iscsi_root.IscsiRootError) as exc:
        refused("ovirt-node-installer", str(exc), args.json)
        if log_file is not None:
            # Into the log only: the console has just shown it.
            log_file.handle(log.makeRecord(log.name, logging.ERROR, __file__, 0, "refused: %s", (exc,), None))
            report("refused", str(exc))
            # The last line says the run is over: a console reader waits for it.
            print(f"Nothing was changed. The log is kept at {args.log}.", file=sys.stderr, flush=True)
        return 2


def _answers_from_kernel_line(kargs: cmdline.KernelArgs, args: argparse.Namespace) -> Fetched | None:
    """The answers file `answers=URL` names (fetched before anything else is looked at, so a
    failure stops the run with nothing touched); None without one."""
    where = answers_url.source(kargs)
    if where is None:
        return None
    if args.answers:
        raise AnswersError(f"answers= on the kernel line and --answers {args.answers}: give one")
    text = answers_url.fetch(where)
    said = f"answers from {where.url}{' (sha256 checked)' if where.sha256 else ''}"
    log.info("%s", said)
    if not args.json:  # --json: stdout holds the one JSON object
        print(f"ovirt-node-installer: {said}", flush=True)
    return Fetched(where.url, text)


def _iscsi_root(kargs: cmdline.KernelArgs, root: Root, runner: Runner) -> cmdline.KernelArgs:
    """`iscsi_install`: log in to the target (before the disks are probed, so the LUN is one
    of them) and add the node's iSCSI boot arguments; a dry run plans with the LUN's udev
    name and logs in to nothing."""
    wanted = iscsi_root.requested(kargs, root)
    if wanted is None:
        return kargs
    if runner.dry_run:
        return iscsi_root.with_boot_words(kargs, wanted._replace(nic_mac="<MAC>").words(), wanted.by_path)
    device = iscsi_root.login(wanted, root, runner, kargs.get("BOOTIF"))
    nic, mac = iscsi_root.carrying_nic(wanted, runner)
    print(f"ovirt-node-installer: iSCSI LUN {wanted.lun} of {wanted.target} at {wanted.portal} is {device} "
          f"(over {nic})", flush=True)
    return iscsi_root.with_boot_words(kargs, wanted._replace(nic_mac=mac).words(), device)


def _installed(session: Session, machine: Machine, dry_run: bool) -> InstalledNode | None:
    if not autoinstall.has_node(machine):
        return None
    if dry_run:  # the slots cannot be read: the plan assumes Root boots
        unknown = ImageVersion("installed node", UNKNOWN, UNKNOWN)
        return InstalledNode("<the HostVG disk's EFI partition>", Slot("Root", unknown), None)
    return autoinstall.find_installed(session, machine)


def _placeholder_image(source: str) -> NodeImage:
    """A dry run without readable media plans with the image's files named, not verified."""
    return NodeImage(Path(source), ImageVersion(PRODUCT, UNKNOWN, UNKNOWN), {})


if __name__ == "__main__":
    sys.exit(main())
