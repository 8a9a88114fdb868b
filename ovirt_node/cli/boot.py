"""`ovirt-node-boot`: the node's boot services (not for interactive use).

    ovirt-node-boot early           HostVG, /config, persisted files, mounts; the boot plan
    ovirt-node-boot late            kernel arguments -> configuration, on-boot hooks, consoles
    ovirt-node-boot report          the boot's lifecycle event, once the network is online
    ovirt-node-boot console TTY     run the plan's program on TTY (installer or setup TUI)
    ovirt-node-boot console-done TTY  the login prompt back on TTY
    ovirt-node-boot decide [--cmdline ARGS] [--has-node] [--configured]
                                    print the plan for a command line and disk state
    ovirt-node-boot health          the health checks; commit, or fall back from, a trial boot
    ovirt-node-boot trial-deadline  reboot a trial boot still undecided (a timer, 20 min)
    ovirt-node-boot check NAME      one of our own checks (config, network, libvirtd, sshd, setup)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import asdict

from ovirt_node.boot import early as boot
from ovirt_node.boot.decision import decide
from ovirt_node.cli.common import add_common_options, console_parser, root_from, setup_logging
from ovirt_node.core import cmdline
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-boot", __doc__.splitlines()[0])
    add_common_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("early", help="storage, /config and the boot plan (ovirt-node-early.service)")
    sub.add_parser("late", help="kernel arguments, hooks, console programs (ovirt-node-boot.service)")
    sub.add_parser("report", help="the boot's lifecycle event to lifecycle.report_url "
                   "(ovirt-node-boot-report.service)")
    for name in ("console", "console-done"):
        sub.add_parser(name).add_argument("tty")
    show = sub.add_parser("decide", help="print the boot plan for a command line and disk state")
    show.add_argument("--cmdline", help="the kernel command line (default: /proc/cmdline)")
    show.add_argument("--has-node", action="store_true", help="HostVG exists")
    show.add_argument("--configured", action="store_true", help="its Config volume holds a configuration")
    sub.add_parser("health", help="run the health checks; commit or fall back from a trial boot")
    sub.add_parser("trial-deadline", help="reboot a trial boot its health checks did not decide in time")
    sub.add_parser("check", help="one of the node's own health checks").add_argument("name")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    root = root_from(args)
    runner = Runner()
    if args.command == "early":
        boot.early(root, runner)
    elif args.command == "late":
        if boot.late(root, runner).failures:
            return 3  # the node is up, but not as asked: the unit shows failed (printed above)
    elif args.command == "report":
        from ovirt_node.boot.report import report_boot

        report_boot(root)  # a report never fails the boot: its problems are logged
    elif args.command == "console":
        argv_, env = boot.console_program(root, args.tty)
        if sys.stdin.isatty():
            boot.ensure_size(sys.stdin.fileno())
        program = shutil.which(argv_[0]) or argv_[0]
        os.execve(program, argv_, {**os.environ, **env})
    elif args.command == "console-done":
        boot.console_done(root, args.tty, runner)
    elif args.command == "health":
        return _health(root, runner)
    elif args.command == "trial-deadline":
        from ovirt_node.boot.health import trial_deadline
        from ovirt_node.core.platform import detect

        trial_deadline(root, runner, detect(root))
    elif args.command == "check":
        from ovirt_node.boot.checks import CHECKS

        if args.name not in CHECKS:
            print(f"ovirt-node-boot: no check {args.name!r} (there are: {', '.join(CHECKS)})", file=sys.stderr)
            return 2
        ok, line = CHECKS[args.name](root, runner)
        print(line)
        return 0 if ok else 1
    else:
        kargs = cmdline.parse(args.cmdline) if args.cmdline is not None else cmdline.read(root)
        plan = decide(kargs, args.has_node, args.configured)
        print(json.dumps(asdict(plan), indent=1))
    return 0


def _health(root: Root, runner: Runner) -> int:
    from ovirt_node.boot.health import health
    from ovirt_node.core.bootstate import summary
    from ovirt_node.core.platform import detect

    try:
        state = health(root, runner, detect(root))
    except ValueError as exc:
        print(f"ovirt-node-boot health: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary(state)))
    failed = [c for c in state["checks"] if c["required"] and not c["passed"]]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
