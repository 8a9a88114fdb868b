"""`ovirt-node-config`: read and change the node's settings without the TUI.

Exit codes: 0 ok, 1 other failure (e.g. another change in progress, and --wait not given or
run out), 2 invalid input (the message names the key and the rule), 3 the change failed and
was rolled back (`cmdline`: one area or more failed and was rolled back; the others were
applied), 128+N interrupted by signal N (SIGINT, SIGTERM, SIGHUP): rolled back.

A change takes the node's transaction lock before it reads the node, and holds it until it
has been applied: two changes at once cannot plan on the same old state and lose one.

Secrets (the admin password) are never taken from the command line, where the process list
shows them to every user: `set-password` reads the password from stdin or asks for it twice.
"""

from __future__ import annotations

import argparse
import difflib
import getpass
import json
import select
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import yaml

from ovirt_node.areas.registry import all_sections
from ovirt_node.cli.common import add_bus_option, add_common_options, console_parser, root_from, setup_logging
from ovirt_node.core import cmdline, untrusted
from ovirt_node.core.aug import AugeasError
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine, InvalidChanges
from ovirt_node.core.journal import JOURNAL_DIR, recover_interrupted
from ovirt_node.core.kernelargs import apply_by_area, changes_from_kernel_args, plans_by_area
from ovirt_node.core.model import Key
from ovirt_node.core.transaction import (
    LOCK_PATH,
    Confirmation,
    Interrupted,
    NotARegularFile,
    Progress,
    SignalGuard,
    StepState,
    Transaction,
    TransactionError,
    TransactionLocked,
    transaction_lock,
)
from ovirt_node.network.apply import DEFAULT_CONFIRM_TIMEOUT
from ovirt_node.system.accounts import ADMIN_USER

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_ROLLED_BACK = 0, 1, 2, 3
PASSWORD_KEY = "security.admin_password"
MASK = "********"


class InputError(Exception):
    """Bad input that is not about one key (a malformed argument or answers file)."""


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-config", __doc__.splitlines()[0])
    add_common_options(parser)
    add_bus_option(parser)
    sub = parser.add_subparsers(dest="command", required=True)

    show = sub.add_parser("show", help="every key with its value and where the value comes from")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.add_argument("prefix", nargs="?", default="", help="only keys starting with this (e.g. logging)")

    get = sub.add_parser("get", help="print one key's value")
    get.add_argument("key")

    set_ = sub.add_parser("set", help="validate all changes, then apply them in one transaction")
    set_.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    set_.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    add_wait_option(set_)
    add_confirm_option(set_)

    apply = sub.add_parser("apply", help="apply an answers file (YAML or JSON) of keys")
    apply.add_argument("file", type=Path)
    apply.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    add_wait_option(apply)
    add_confirm_option(apply)

    password = sub.add_parser(
        "set-password", help=f"set the password of the {ADMIN_USER} user (read from stdin, or asked for twice)",
        description=f"Set the password of the {ADMIN_USER} user with chpasswd. On a terminal the password is "
        "asked for twice (not echoed) and its strength shown; otherwise the first line of stdin is the "
        "password (e.g. `ovirt-node-config set-password < file`). It is never an argument, never logged "
        "and never stored in /etc/default/ovirt.",
    )
    password.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    add_wait_option(password)

    kargs = sub.add_parser(
        "cmdline", help="apply kernel arguments (3.x names), area by area as at boot",
        description="Apply kernel arguments as the node does at boot: each area (ssh, network, monitoring, ...) "
        "in its own transaction, so an area that fails is rolled back and reported while the others apply. "
        "Exit 3 when any area failed.")
    kargs.add_argument("args", nargs="*", help="arguments (default: /proc/cmdline under the root)")
    kargs.add_argument("--from", dest="from_file", type=Path, metavar="FILE", help="read them from FILE")
    kargs.add_argument("--dry-run", action="store_true", help="print the plan, change nothing")
    add_wait_option(kargs)

    support = sub.add_parser(
        "support-bundle", help="write a support bundle: logs, settings, config files, tool output; secrets removed",
        description="Collect the node's logs, /etc/default/ovirt, the persisted file list, the configuration files "
        "the node manages and the output of the diagnostic tools into one .tar.gz (mode 0600) with a manifest; "
        "passwords, password hashes and private keys are replaced by <redacted>. Over SSH: "
        "`ssh admin@node ovirt-node-config support-bundle --output - > bundle.tar.gz`.",
    )
    support.add_argument("--output", metavar="FILE", help="write to FILE (must not exist; a folder: a new name in "
                         "it; - for stdout) instead of a new file in /data/support")
    return parser


def add_wait_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--wait", nargs="?", type=float, const=float("inf"), default=0.0, metavar="SECONDS",
        help="when another change is in progress, wait up to SECONDS for it to finish (no SECONDS: until it "
             "has); without --wait, exit 1 at once")


def wait_argument(argv: Sequence[str]) -> list[str]:
    """`--wait` followed by something that is not a number waits without limit: argparse would
    take the KEY=VALUE after it for SECONDS."""
    out = list(argv)
    for i, arg in enumerate(out):
        if arg == "--wait":
            nxt = out[i + 1] if i + 1 < len(out) else ""
            try:
                float(nxt)
            except ValueError:
                out[i] = "--wait=inf"
    return out


@contextmanager
def node_locked(engine: Engine, wait: float) -> Iterator[None]:
    """Hold the transaction lock from before the node is read until the change is applied;
    a change a killed run left half made is rolled back first, and said so."""
    ctx = engine.ctx
    with transaction_lock(ctx.root(LOCK_PATH), wait=wait):
        report_recovery(engine)
        yield


def report_recovery(engine: Engine) -> None:
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
    try:
        with transaction_lock(engine.ctx.root(LOCK_PATH)):
            report_recovery(engine)
    except TransactionLocked:
        pass


def add_confirm_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--confirm-timeout", type=int, metavar="SECONDS", default=None,
        help="after a network change, wait this long for `yes` on stdin before NetworkManager rolls it back "
             f"(default {DEFAULT_CONFIRM_TIMEOUT} on a terminal, else 0: keep it without asking)")


def parse_assignments(items: Sequence[str]) -> dict[str, str]:
    changes: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise InputError(f"{item!r}: expected KEY=VALUE")
        changes[key.strip()] = value
    return changes


def refuse_secrets(engine: Engine, changes: Mapping[str, str]) -> None:
    """Secret keys never come from argv: every user can read it in the process list."""
    secret = {k: "a secret is never taken from the command line (the process list shows it): use "
                 "`ovirt-node-config set-password` or an answers file (apply)"
              for k in changes if k in engine.keys and engine.keys[k].secret}
    if secret:
        raise InvalidChanges(secret)


def shown(setting_key: Key, value: str) -> str:
    """A value as show/get print it: secrets masked (they are write-only anyway)."""
    return MASK if setting_key.secret and value else value


def read_password(stdin: TextIO = sys.stdin) -> str:
    """From a terminal: asked twice, not echoed, with the strength hint. Else: stdin's first line."""
    if stdin.isatty():
        try:
            first = getpass.getpass(f"New password of {ADMIN_USER}: ")
            if first:
                from ovirt_node.system.strength import strength

                print(f"Strength: {strength(first).text}", file=sys.stderr)
            again = getpass.getpass("Retype it: ")
        except (EOFError, KeyboardInterrupt):
            raise InputError("cancelled") from None
        if again != first:
            raise InvalidChanges({PASSWORD_KEY: "the two entries do not match"})
        return first
    line = stdin.readline()
    if not line:
        raise InputError("no password on stdin (give it as the first line)")
    return line[:-1] if line.endswith("\n") else line


def flatten_answers(data: Any, prefix: str = "") -> dict[str, str]:
    """`{ssh: {pwauth: true}}` or `{"ssh.pwauth": "yes"}` -> {"ssh.pwauth": "yes"}."""
    if not isinstance(data, Mapping):
        raise InputError("the answers file must hold a mapping of keys to values")
    flat: dict[str, str] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            flat.update(flatten_answers(value, key + "."))
        elif isinstance(value, bool):
            flat[key] = "yes" if value else "no"
        elif value is None:
            flat[key] = ""
        elif isinstance(value, int | float | str):
            flat[key] = str(value)
        else:
            raise InputError(f"{key}: a value must be a string, number or boolean, not a {type(value).__name__}")
    return flat


def load_answers(path: Path) -> dict[str, str]:
    try:
        data = untrusted.load_yaml(untrusted.read_text(path))  # JSON is YAML too
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except untrusted.UntrustedInputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError(f"{path}: not valid YAML or JSON{where}") from exc
    if data is None:
        raise InputError(f"{path}: the file is empty")
    try:
        return flatten_answers(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc


def print_progress(event: Progress) -> None:
    """One line per step: its outcome. A bare `running` would print every step twice;
    a running step's own news (a detail) is still shown."""
    if event.state is StepState.RUNNING and not event.detail:
        return
    print(event, flush=True)


def print_plan(tx: Transaction, ctx: Context) -> None:
    if not tx.steps:
        print("Nothing to change.")
        return
    print(f"Plan ({len(tx.steps)} steps, dry run: nothing was changed):")
    for line in tx.describe(ctx):
        print("  " + line)


def warn_unusual(engine: Engine, changes: Mapping[str, str]) -> None:
    """Valid but unusual values (a reserved SSH port): said on stderr, applied all the same."""
    for name, value in changes.items():
        key = engine.keys.get(name)
        text = key.warning(value) if key is not None and key.warning is not None else ""
        if text:
            print(f"ovirt-node-config: warning: {name}: {text}", file=sys.stderr)


def confirm_on_stdin(timeout: int) -> bool | None:
    """Ask on stderr; True for `yes` typed within `timeout` seconds, False for anything else
    typed (the operator declined), None for no answer (EOF included)."""
    print(f"The new network configuration is up. Type yes within {timeout} s to keep it; anything else, "
          "or no answer, rolls it back.", file=sys.stderr, flush=True)
    ready, _, _ = select.select([sys.stdin], [], [], timeout)
    line = sys.stdin.readline() if ready else ""
    if not line:
        return None
    return line.strip().lower() == "yes"


def run_changes(engine: Engine, changes: Mapping[str, str], dry_run: bool, confirm_timeout: int | None = None) -> int:
    tx = engine.plan(changes)
    warn_unusual(engine, changes)
    if confirm_timeout is None:
        confirm_timeout = DEFAULT_CONFIRM_TIMEOUT if sys.stdin.isatty() else 0
    if dry_run:
        print_plan(tx, engine.ctx)
        return EXIT_OK
    if not tx.steps:
        print("Nothing to change: the node already has these values.")
        return EXIT_OK
    confirm = Confirmation(confirm_on_stdin, confirm_timeout) if confirm_timeout > 0 else None
    tx.run(engine.ctx, print_progress, confirm=confirm)
    print(f"Applied: {', '.join(sorted(changes))}")
    return EXIT_OK


def cmd_show(engine: Engine, args: argparse.Namespace) -> int:
    if not any(name.startswith(args.prefix) for name in engine.keys):
        # Printing nothing and exit 0 would read as "no such settings here"; a typo deserves a hint.
        prefixes = {".".join(n.split(".")[:i]) for n in engine.keys for i in range(1, n.count(".") + 2)}
        near = difflib.get_close_matches(args.prefix, sorted(prefixes), n=3, cutoff=0.7)
        hint = f" (did you mean {' or '.join(near)}?)" if near else " (`ovirt-node-config show` lists the keys)"
        print(f"ovirt-node-config: no key starts with {args.prefix!r}{hint}", file=sys.stderr)
        return EXIT_INVALID
    settings = {k: s for k, s in engine.read().items() if k.startswith(args.prefix)}
    if args.json:
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


def cmd_cmdline(engine: Engine, args: argparse.Namespace) -> int:
    if args.args and args.from_file:
        raise InputError("give either arguments or --from FILE, not both")
    if args.args:
        text = " ".join(args.args)
    else:
        source = args.from_file or engine.ctx.root(cmdline.PROC_CMDLINE)
        try:
            text = Path(source).read_text()
        except OSError as exc:
            raise InputError(f"{source}: {exc.strerror}") from exc
    found = changes_from_kernel_args(engine, cmdline.parse(text))
    for arg in found.ignored:
        near = found.near.get(arg)
        hint = f"; did you mean {' or '.join(near)}?" if near else ""
        print(f"ignored: {arg} (not a setting this node knows{hint})")
    for arg, reason in found.rejected:
        print(f"skipped: {arg}: {reason}")
    if not found.changes:
        print("No settings in the kernel arguments.")
        return EXIT_OK
    warn_unusual(engine, found.changes)
    if args.dry_run:
        for area, tx in plans_by_area(engine, found.changes).items():
            print(f"{area}:", end=" ")
            print_plan(tx, engine.ctx)
        return EXIT_OK
    # Boot semantics: area by area, so one that cannot apply does not keep the others off.
    results = apply_by_area(engine, found.changes, print_progress, lambda area: print(f"{area}:", flush=True))
    for result in results:
        print(result)
    failed = [r.area for r in results if not r.ok]
    if failed:
        print(f"ovirt-node-config: not applied (rolled back): {', '.join(failed)}; the other areas were applied",
              file=sys.stderr)
        return EXIT_ROLLED_BACK
    return EXIT_OK


def cmd_support_bundle(engine: Engine, args: argparse.Namespace) -> int:
    from ovirt_node.report import bundle

    root, sections = engine.ctx.root, list(engine.sections.values())
    if args.output == "-":
        if sys.stdout.isatty():
            raise InputError("--output -: refusing to write a binary archive to a terminal (redirect it to a file)")
        made = bundle.stream(root, sections, sys.stdout.buffer)
        sys.stdout.flush()
        print(f"Support bundle written to stdout: {made.members} files, secrets removed: {made.redactions}",
              file=sys.stderr)
        return EXIT_OK
    try:
        made = bundle.create(root, sections, output=Path(args.output) if args.output else None)
    except bundle.BundleError as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    print(made.path)
    print(f"{made.members} files, secrets removed: {made.redactions}", file=sys.stderr)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(wait_argument(sys.argv[1:] if argv is None else argv))
    setup_logging(args.debug)
    ctx = Context(root=root_from(args), bus=args.bus, dry_run=getattr(args, "dry_run", False))
    try:
        with SignalGuard():  # a signal before the change starts: nothing changed, said so
            return dispatch(Engine(ctx, all_sections()), args)
    except Interrupted as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # a second Ctrl-C while the first one's rollback ran
        print("ovirt-node-config: interrupted", file=sys.stderr)
        return 128 + 2


def dispatch(engine: Engine, args: argparse.Namespace) -> int:
    try:
        if args.command == "show":
            recover_if_free(engine)
            return cmd_show(engine, args)
        if args.command == "get":
            recover_if_free(engine)
            return cmd_get(engine, args)
        if args.command == "support-bundle":
            return cmd_support_bundle(engine, args)
        if args.command == "set":
            changes = parse_assignments(args.assignments)
            refuse_secrets(engine, changes)
        elif args.command == "set-password":
            changes = {PASSWORD_KEY: read_password()}
        elif args.command == "apply":
            changes = load_answers(args.file)
        with node_locked(engine, args.wait):  # lock, then read, validate, plan and run
            if args.command == "cmdline":
                return cmd_cmdline(engine, args)
            return run_changes(engine, changes, args.dry_run, getattr(args, "confirm_timeout", None))
    except InvalidChanges as exc:
        for key, message in exc.errors.items():
            print(f"ovirt-node-config: invalid {key}: {message}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return EXIT_INVALID
    except InputError as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        return EXIT_INVALID
    except TransactionError as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_ROLLED_BACK
    except TransactionLocked as exc:
        hint = "" if getattr(args, "wait", 0) else " (or give --wait SECONDS)"
        print(f"ovirt-node-config: {exc}{hint}", file=sys.stderr)
        return EXIT_FAILED
    except NotARegularFile as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except (AugeasError, OSError) as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
