"""`ovirt-node-installer` with its screens (`--tui`, the default on a terminal) or an answers
file (`--answers FILE`): the choices go through the installer screens' rules either way and
end in the engine's plan, as the kernel arguments of an auto-install do.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ovirt_node.cli.install_output import print_plan
from ovirt_node.cli.install_reported import Report, run_reported
from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.root import Root
from ovirt_node.installer.image import NodeImage
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.screens.answers import Fetched
from ovirt_node.installer.session import InstalledNode, Session
from ovirt_node.system.machine.model import Machine

log = logging.getLogger(__name__)


def keymap_applier(root: Root, dry_run: bool) -> Callable[[str], None] | None:
    """Puts a keymap on the console through the config engine's keyboard section (localed);
    None where the console is not ours to change (a dry run, a root prefix)."""
    if dry_run or not root.is_host:
        return None
    from ovirt_node.areas.keyboard import Keyboard
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine

    def apply(keymap: str) -> None:
        ctx = Context(root=root)
        Engine(ctx, [Keyboard()]).plan({"keyboard.keymap": keymap}, title="Console keymap").run(ctx)

    return apply


def screens_main(args: argparse.Namespace, machine: Machine, session: Session, image: NodeImage | None,
                 installed: InstalledNode | None, root: Root, media_problem: str = "",
                 fetched: Fetched | None = None, kernel_line: KernelArgs | None = None,
                 report: Report | None = None) -> int:
    """The screens, or the answers file (`--answers`, or `fetched` from the kernel line's
    `answers=`). AnswersError when the answers cannot be used: nothing was touched then.
    `report` sends an unattended run's lifecycle events (install_reported.py)."""
    from ovirt_node.cli.setup import display_mode
    from ovirt_node.installer.screens import answers as answers_file
    from ovirt_node.installer.screens.choices import Choices
    from ovirt_node.installer.screens.flow import SCREEN_NAMES, InstallerApp, answer_all
    from ovirt_node.installer.screens.state import Installer

    applier = keymap_applier(root, args.dry_run)
    installer = Installer(machine, session, image, installed, args.dry_run, live=root,
                          log_path=None if args.dry_run else Path(args.log),
                          keymap_applier=applier, media_problem=media_problem, kernel_line=kernel_line)
    source = fetched.url if fetched else str(args.answers)
    choices, interactive = Choices(), None
    if fetched or args.answers:
        given = (answers_file.parse(fetched.text, fetched.url, SCREEN_NAMES) if fetched
                 else answers_file.load(Path(args.answers), SCREEN_NAMES))
        choices, interactive = given.choices, set(given.interactive)
    runner = session.ctx.runner

    def reboot() -> None:
        runner(["systemctl", "reboot"])

    if interactive is None or interactive or args.tui:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            print("ovirt-node-installer: the installer's screens need a terminal", file=sys.stderr)
            return 1
        _quiet_stderr()
        mode = display_mode(args, os.environ, _tty_name())
        app = InstallerApp(installer, choices, interactive=interactive, mode=mode, reboot=reboot)
        return app.run()
    try:
        choices = answer_all(installer, choices)
        plan = installer.plan(choices)
    except ValueError as exc:  # a screen's refusal, or the engine's (InstallRefused, LayoutError ...)
        raise answers_file.AnswersError(f"{source}: {exc}") from None
    if args.dry_run:
        print_plan(machine, plan, session.ctx, args.json)
        return 0
    line = autoinstall.read_request(kernel_line) if kernel_line is not None else None
    request = autoinstall.Request(choices.mode, choices.force, line.break_at if line else None,
                                  line.reboot_delay if line else 0)
    return run_reported(plan.transaction, session, request, report or _no_report, reboot if args.auto else None)


def _no_report(result: str, detail: str) -> None:
    pass


def _tty_name() -> str | None:
    try:
        return os.ttyname(sys.stdin.fileno())
    except OSError:
        return None


def _quiet_stderr() -> None:
    """Log lines on stderr would scribble over the screens: the log file keeps them."""
    top = logging.getLogger()
    for handler in list(top.handlers):
        if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
            top.removeHandler(handler)
