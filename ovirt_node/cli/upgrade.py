"""`ovirt-node-upgrade`: upgrade a running node in place from an image, or roll back.

`--iso FILE` (an .iso file, a device or a mounted media directory) writes the new image into
the slot the node does not boot and tries it at the next boot (a trial: it becomes the default
once its health checks pass, else the node comes back on this image by itself;
docs/upgrades.md); the hooks in /usr/libexec/ovirt-node/hooks/{pre-upgrade,post-upgrade,rollback}/
run around it. Only within one major version unless `--force`. `--rollback` tries the other
slot the same way. `--status [--json]` says which slot runs, whether it came up as a trial or
a fallback, and what the health checks said. Exit status: 0 done (or planned with --dry-run),
1 a step failed (nothing switched), 2 refused (the message says why).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

from ovirt_node.boot.checks import record_network
from ovirt_node.cli.common import add_common_options, console_parser, root_from, setup_logging
from ovirt_node.cli.install_output import plan_report, print_progress, refused
from ovirt_node.core.bootstate import read_state, summary
from ovirt_node.core.context import Context
from ovirt_node.core.esp import release_esp
from ovirt_node.core.platform import PlatformError, detect
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.core.transaction import TransactionError
from ovirt_node.installer.devices import LvmDevices
from ovirt_node.installer.image import ImageError, decide
from ovirt_node.installer.media import media
from ovirt_node.installer.plan import autoinstall, flows
from ovirt_node.installer.session import Session
from ovirt_node.installer.steps.storage import Target
from ovirt_node.report.lifecycle import send_event
from ovirt_node.system.machine.probe import probe
from ovirt_node.system.machine.profile import ProfileError

WORKDIR = "/run/ovirt-node/upgrade"


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-upgrade", __doc__.splitlines()[0])
    add_common_options(parser)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--iso", metavar="FILE|DEVICE|DIR", help="the image to upgrade to")
    what.add_argument("--rollback", action="store_true", help="try the other image slot at the next boot")
    what.add_argument("--status", action="store_true", help="the running slot and its last health checks")
    parser.add_argument("--force", action="store_true", help="allow another major version, or a downgrade")
    parser.add_argument("--dry-run", action="store_true", help="print the steps and commands; change nothing")
    parser.add_argument("--json", action="store_true", help="with --status: the state as JSON; with --dry-run: "
                        "the plan (or the refusal) as one JSON object: changed, steps (each with its "
                        "commands), warnings, diff, error")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    if args.json and not (args.dry_run or args.status):
        print("ovirt-node-upgrade: --json describes a plan only; add --dry-run (or ask --status --json)",
              file=sys.stderr)
        return 2
    root = root_from(args)
    if args.status:
        return show_status(root, args.json)
    runner = Runner(dry_run=args.dry_run)
    try:
        # The node's own ESP mount would make the upgrade's look at the slots fail.
        release_esp(root, Runner())
        machine = probe(root)
        session = Session(ctx=Context(root=root, runner=runner, dry_run=args.dry_run), platform=detect(root),
                                devices=LvmDevices(), target=Target(Path(WORKDIR)),
                                uefi=machine.firmware == "uefi", live=root)
        node = autoinstall.find_installed(session, machine)
        if node is None:
            raise ImageError("this machine has no installed node (no HostVG with an image)")
        with ExitStack() as stack:
            if args.rollback:
                tx = flows.rollback(session, node)
            else:
                image = stack.enter_context(media(Path(args.iso), Path(WORKDIR) / "media", runner))
                decision = decide(node.active.version, image.version, args.force)
                if decision.blocked:
                    raise ImageError(decision.blocked)
                if decision.mode.value != "upgrade" and not args.force:
                    raise ImageError(f"{image.version} is a {decision.mode.value} of the running "
                                     f"{node.active.version}; add --force to do it anyway")
                tx = flows.upgrade(session, node, image)
            if args.dry_run:
                print(plan_report(tx, session.ctx).to_json() if args.json
                      else "\n".join(flows.plan_lines(tx, session.ctx)))
                return 0
            tx.run(session.ctx, print_progress)
            if root.is_host and os.path.ismount(root("/config")):
                # What the new slot's network check compares with (boot/checks.py).
                try:
                    record_network(root, Runner())
                except (CommandError, OSError, ValueError) as exc:
                    print(f"ovirt-node-upgrade: the network was not recorded for the new slot's check: {exc}",
                          file=sys.stderr)
    except TransactionError as exc:
        print(f"ovirt-node-upgrade: {exc}", file=sys.stderr)
        report(args, root, "failed", str(exc))
        return 1
    except (ImageError, ProfileError, PlatformError, CommandError) as exc:
        refused("ovirt-node-upgrade", str(exc), args.json)
        report(args, root, "refused", str(exc))
        return 2
    print(f"{tx.title}: done; the next boot tries it, and it stays only when its health checks pass.")
    report(args, root, "succeeded", f"{tx.title}; the next boot tries it, and it stays only when its health "
           "checks pass")
    return 0


def show_status(root: Root, as_json: bool) -> int:
    state = read_state(root)
    if as_json:
        print(json.dumps(state or {}, indent=1))
    else:
        print("\n".join(summary(state)))
        for check in (state or {}).get("checks", []):
            if not check.get("passed"):
                print(f"--- {check.get('name')} log ---\n{check.get('log')}")
    return 0


def report(args: argparse.Namespace, root: Root, result: str, detail: str) -> None:
    """The lifecycle event of a real run (a dry run changes nothing, so it reports nothing)."""
    if not args.dry_run:
        send_event(root, "rollback" if args.rollback else "upgrade", result, detail)


if __name__ == "__main__":
    sys.exit(main())
