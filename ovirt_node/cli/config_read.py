"""`ovirt-node-config show` and `get`: read the node's settings, importing no more than that needs.

`get KEY` for a built-in key builds that key's section alone (areas.registry.BUILTIN): no other
area, no plugin discovery. A key no built-in section has (a plugin's, or a typo whose hint
looks at every key) and `show` take every section, the plugins' too. The change commands
(config_change) share the exit codes and the signal handling here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ovirt_node.areas.registry import all_sections, builtin_section
from ovirt_node.cli.common import root_from
from ovirt_node.core.aug import AugeasError
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.model import Key
from ovirt_node.core.root import NotARegularFile, SymlinkEscapeError
from ovirt_node.core.runstate import JOURNAL_DIR, LOCK_PATH
from ovirt_node.core.signals import Interrupted, SignalGuard

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_ROLLED_BACK = 0, 1, 2, 3
MASK = "********"


def main(args: argparse.Namespace) -> int:
    ctx = Context(root=root_from(args), bus=args.bus)
    return guarded(lambda: read(engine_for(ctx, args), args))


def guarded(run: Callable[[], int]) -> int:
    """Run a command with SIGINT, SIGTERM and SIGHUP turned into a message and exit 128+N."""
    try:
        with SignalGuard():  # a signal before the change starts: nothing changed, said so
            return run()
    except Interrupted as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # a second Ctrl-C while the first one's rollback ran
        print("ovirt-node-config: interrupted", file=sys.stderr)
        return 128 + 2


def engine_for(ctx: Context, args: argparse.Namespace) -> Engine:
    """An engine of the one built-in section that owns `get`'s key; else of every section."""
    if args.command == "get":
        section = builtin_section(args.key.partition(".")[0])
        if section is not None and any(key.name == args.key for key in section.keys):
            return Engine(ctx, [section])
    return Engine(ctx, all_sections())


def read(engine: Engine, args: argparse.Namespace) -> int:
    try:
        recover_if_free(engine)
        return cmd_show(engine, args) if args.command == "show" else cmd_get(engine, args)
    except (NotARegularFile, SymlinkEscapeError, AugeasError, OSError) as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_FAILED


def report_recovery(engine: Engine) -> None:
    from ovirt_node.core.journal import recover_interrupted

    message = recover_interrupted(engine.ctx.root)
    if message:
        print(f"ovirt-node-config: {message}", file=sys.stderr)
        engine.ctx.reload()  # read the node as restored, not as the handle loaded it


def recover_if_free(engine: Engine) -> None:
    """Before a read (show, get): finish an interrupted change's rollback when no change is
    running; while one runs, read what is there. With neither a journal nor a lock file (a dead
    run's, taken over here) there is nothing to finish: a plain read takes no lock, writes nothing."""
    root = engine.ctx.root
    if not root(JOURNAL_DIR).exists() and not root(LOCK_PATH).exists():
        return
    from ovirt_node.core.transaction import TransactionLocked, transaction_lock

    try:
        with transaction_lock(engine.ctx.root(LOCK_PATH)):
            report_recovery(engine)
    except TransactionLocked:
        pass


def shown(setting_key: Key, value: str) -> str:
    """A value as show/get print it: secrets masked (they are write-only anyway)."""
    return MASK if setting_key.secret and value else value


def cmd_show(engine: Engine, args: argparse.Namespace) -> int:
    if not any(name.startswith(args.prefix) for name in engine.keys):
        import difflib

        # Printing nothing and exit 0 would read as "no such settings here"; a typo deserves a hint.
        prefixes = {".".join(n.split(".")[:i]) for n in engine.keys for i in range(1, n.count(".") + 2)}
        near = difflib.get_close_matches(args.prefix, sorted(prefixes), n=3, cutoff=0.7)
        hint = f" (did you mean {' or '.join(near)}?)" if near else " (`ovirt-node-config show` lists the keys)"
        print(f"ovirt-node-config: no key starts with {args.prefix!r}{hint}", file=sys.stderr)
        return EXIT_INVALID
    settings = {k: s for k, s in engine.read().items() if k.startswith(args.prefix)}
    if args.json:
        import json

        out = {
            name: {
                "value": shown(s.key, s.value),
                "source": s.source.value,
                "ovirt_key": s.key.ovirt,
                "defaults_value": s.defaults_value,
                "description": s.key.help,
            }
            for name, s in settings.items()
        }
        print(json.dumps(out, indent=2, sort_keys=True))
    else:
        width = max((len(n) for n in settings), default=0)
        for name, s in settings.items():
            drift = ""
            if s.defaults_value is not None and s.defaults_value != s.value:
                drift = f"  (settings file says {s.defaults_value!r})"
            print(f"{name:<{width}}  {shown(s.key, s.value)!r:<24} [{s.source.value}]{drift}")
        print_states(engine, args.prefix)
    for line in engine.ctx.defaults.unparsed_lines():
        print(f"warning: /etc/default/ovirt: kept a line that is not a setting: {line!r}", file=sys.stderr)
    return EXIT_OK


def print_states(engine: Engine, prefix: str) -> None:
    """What a section's settings cannot say: kdump's crash kernel as the running kernel has it
    (loaded or why not, memory reserved, the last dump), read live."""
    if "kdump" in engine.sections and ("kdump".startswith(prefix) or prefix.startswith("kdump")):
        from ovirt_node.areas.kdump_state import node_summary

        for label, value in node_summary(engine).items():
            print(f"kdump state: {label.lower()}: {value}")


def cmd_get(engine: Engine, args: argparse.Namespace) -> int:
    if args.key not in engine.keys:
        # A read: the error alone, not the "Nothing was changed." that follows a refused change.
        print(f"ovirt-node-config: invalid {args.key}: {engine.unknown_key(args.key)}", file=sys.stderr)
        return EXIT_INVALID
    setting = engine.read([engine.keys[args.key].section])[args.key]
    print(shown(setting.key, setting.value))
    return EXIT_OK
