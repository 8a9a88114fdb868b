"""`ovirt-node-config reset [--keep-network] [--yes] [--dry-run] [--json]`: every setting back to
the image's defaults and every persisted file dropped, keeping the management network, the host
name, the accounts and SSH access (ovirt_node/areas/reset.py). Asks for RESET typed unless --yes.

The network is always kept (ESXi's reset loses it, and with it an operator on SSH or the
engine): `--keep-network` says so explicitly; to change the network afterwards, use the Network
page or `set network.*`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ovirt_node.areas.reset import ResetPlan
    from ovirt_node.cli import audit
    from ovirt_node.core.engine import Engine
    from ovirt_node.core.transaction import ProgressCallback

CONFIRM_WORD = "RESET"  # areas.reset.CONFIRM_WORD, not imported: the parser is built for every command


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "reset", help="reset every setting to the image's defaults, keeping the management network",
        description="Put every setting back to the image's defaults and drop every persisted file from /config, "
        "keeping what the node needs to stay reachable: the management connection (its keyfiles, bond members and "
        "VLAN parent) and DNS, the host name, the accounts and their passwords, SSH access (port, password setting, "
        "authorized keys) and the node's identity (machine id, SSH host keys). One transaction: a failure rolls "
        "everything back. Asks for RESET typed unless --yes. Running services keep their settings until the node "
        "restarts.")
    parser.add_argument("--keep-network", action="store_true",
                        help="keep the management network (always done: a reset never cuts the node off)")
    parser.add_argument("--yes", action="store_true", help=f"do not ask for {CONFIRM_WORD} to be typed")
    parser.add_argument("--dry-run", action="store_true", help="print what would be reset and kept, change nothing")
    parser.add_argument("--json", action="store_true",
                        help='print {"ok", "kept", "reset", "removed", "unpersisted", "error"} as JSON')
    parser.add_argument("--wait", nargs="?", type=float, const=float("inf"), default=0.0, metavar="SECONDS",
                        help="wait up to SECONDS for another change to finish")


def confirmed(stdin: TextIO = sys.stdin) -> bool:
    print(f"This resets every setting to the image's defaults (the network, host name, passwords and SSH access "
          f"are kept). Type {CONFIRM_WORD} to go on: ", end="", file=sys.stderr, flush=True)
    return stdin.readline().strip() == CONFIRM_WORD


def summary(plan: ResetPlan) -> list[str]:
    lines = [f"Kept: {', '.join(plan.kept)}"]
    for title, paths in (("Reset to the image's", plan.reset), ("Removed (not in the image)", plan.removed),
                         ("Dropped from /config", plan.unpersisted)):
        lines.append(f"{title}: {', '.join(paths) if paths else '(none)'}")
    return lines


def cmd_reset(engine: Engine, args: argparse.Namespace, record: audit.Change,
              locked: Callable[[Engine, float], AbstractContextManager[None]],
              progress: ProgressCallback) -> int:
    """`locked` holds the node's lock (and finishes a killed run's rollback) while the reset is
    planned and run; `progress` prints a step's outcome (config_change hands both over)."""
    from ovirt_node.areas.reset import ResetError, plan_reset, pristine_tree
    from ovirt_node.cli.config_read import EXIT_INVALID, EXIT_OK

    out: dict[str, object] = {"ok": False}
    try:
        if not (args.yes or args.dry_run or confirmed()):
            record.result = f"not confirmed ({CONFIRM_WORD} not typed), nothing changed"
            print(f"ovirt-node-config: {CONFIRM_WORD} was not typed. Nothing was changed.", file=sys.stderr)
            out["error"] = f"{CONFIRM_WORD} was not typed; nothing was changed"
            return EXIT_INVALID
        with locked(engine, args.wait):
            plan = plan_reset(engine.ctx, list(engine.sections.values()), pristine_tree(engine.ctx))
            out.update(kept=plan.kept, reset=plan.reset, removed=plan.removed, unpersisted=plan.unpersisted)
            if not args.json:
                print("\n".join(summary(plan)))
            if args.dry_run:
                out["ok"] = True
                return EXIT_OK
            plan.transaction.run(engine.ctx, None if args.json else progress)
        record.result = "applied"
        out["ok"] = True
        if not args.json:
            print("Reset done. Restart the node (reboot) so every service runs on its default settings.")
        return EXIT_OK
    except ResetError as exc:
        record.result = f"failed: {exc}"
        out["error"] = str(exc)
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except Exception as exc:
        out["error"] = str(exc)
        raise
    finally:
        if args.json:
            print(json.dumps(out, indent=2))
