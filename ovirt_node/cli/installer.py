"""`ovirt-node-installer`: install the node onto disks.

`--dry-run` prints the plan — the disks, partitions, volumes, filesystems and every command —
for the installer's defaults or for the kernel arguments given with `--cmdline`, and touches
nothing. Exit status: 0 planned, 2 the request cannot be done safely (the message says why).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from ovirt_node.cli.common import add_common_options, root_from, setup_logging
from ovirt_node.installer import disks as disk_selection
from ovirt_node.installer.layout import LayoutError, plan
from ovirt_node.installer.request import from_kernel_args
from ovirt_node.installer.sizes import SizeError
from ovirt_node.system import cmdline
from ovirt_node.system.machine import ProfileError, load_profile, probe, profile_path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ovirt-node-installer", description=__doc__.splitlines()[0])
    add_common_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the plan and every command; change nothing")
    parser.add_argument("--machine", metavar="FILE|NAME", help="plan for a machine profile instead of this machine")
    parser.add_argument("--cmdline", metavar="ARGS",
                        help="kernel arguments to plan for (storage_init=, storage_vol=, mem_overcommit=, "
                             "wipe_fakeraid); default: the installer's defaults")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    if not args.dry_run:
        print("ovirt-node-installer: only --dry-run planning is available in this build", file=sys.stderr)
        return 1
    root = root_from(args)
    try:
        if args.machine:
            spec = args.machine
            machine = load_profile(spec if "/" in spec or spec.endswith(".json") else profile_path(spec))
        else:
            machine = probe(root)
        request = from_kernel_args(cmdline.parse(args.cmdline or ""))
        chosen = disk_selection.select(machine, request.disks)
        refused = disk_selection.refusals(machine, chosen, request.wipe_fakeraid)
        if refused:
            raise disk_selection.DiskSelectionError("refusing to install:\n  " + "\n  ".join(refused))
        layout = plan(machine, chosen, request.sizes)
    except (ProfileError, SizeError, LayoutError, disk_selection.DiskSelectionError) as exc:
        print(f"ovirt-node-installer: {exc}", file=sys.stderr)
        return 2
    print(f"Install on {machine.name} ({machine.firmware.upper()} firmware, "
          f"{machine.memory_bytes // 1024**3} GiB memory)")
    print(layout.describe())
    print("Commands:")
    for command in layout.commands():
        print("  " + shlex.join(command))
    return 0


if __name__ == "__main__":
    sys.exit(main())
