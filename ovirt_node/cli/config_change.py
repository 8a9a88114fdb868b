"""The `ovirt-node-config` commands that change the node: set, apply, set-password,
cmdline and support-bundle (the bundle writes a file, not a setting, but takes every section)."""

from __future__ import annotations

import argparse
import getpass
import os
import select
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import yaml

from ovirt_node.areas.registry import all_sections
from ovirt_node.cli import audit
from ovirt_node.cli.change_report import (
    ChangeReport,
    diffs,
    hide_secrets,
    planned_diffs,
    print_diffs,
    read_texts,
)
from ovirt_node.cli.common import root_from
from ovirt_node.cli.config_read import (
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_ROLLED_BACK,
    guarded,
    report_recovery,
)
from ovirt_node.core import answers, cmdline, untrusted
from ovirt_node.core.aug import AugeasError
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine, InvalidChanges
from ovirt_node.core.kernelargs import apply_by_area, changes_from_kernel_args, plans_by_area
from ovirt_node.core.root import SymlinkEscapeError
from ovirt_node.core.signals import Interrupted
from ovirt_node.core.transaction import (
    LOCK_PATH,
    Confirmation,
    NotARegularFile,
    Progress,
    StepState,
    Transaction,
    TransactionError,
    TransactionLocked,
    transaction_lock,
)
from ovirt_node.network.apply import DEFAULT_CONFIRM_TIMEOUT
from ovirt_node.system.accounts import ADMIN_USER

PASSWORD_KEY = "security.admin_password"
#: How the audit record's result of a run that did not do what it was asked begins (--json's error).
FAILURES = ("failed", "not run", "interrupted", "invalid")


class InputError(Exception):
    """Bad input that is not about one key (a malformed argument or answers file)."""


@contextmanager
def node_locked(engine: Engine, wait: float) -> Iterator[None]:
    """Hold the transaction lock from before the node is read until the change is applied;
    a change a killed run left half made is rolled back first, and said so."""
    ctx = engine.ctx
    with transaction_lock(ctx.root(LOCK_PATH), wait=wait):
        report_recovery(engine)
        yield


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


def flatten_answers(data: Any) -> dict[str, str]:
    try:
        return answers.flatten(data)
    except answers.AnswersShapeError as exc:
        raise InputError(str(exc)) from None


def parse_answers(text: str) -> Any:
    """TOML (what `export` writes), else YAML (JSON is YAML too). TOML first: it is the strict
    one, and neither a YAML mapping (`key: value`) nor JSON is valid TOML; a TOML file with
    nothing in it goes on to YAML, which says it is empty."""
    import tomllib

    try:
        data = untrusted.load_toml(text)
    except tomllib.TOMLDecodeError:
        data = None
    return data if data else untrusted.load_yaml(text)


def load_answers(path: Path) -> dict[str, str]:
    """The answers file (TOML, YAML or JSON), or standard input for `-` (a pipe:
    `... | ovirt-node-config apply -`)."""
    from_stdin = str(path) == "-"
    if from_stdin:
        path = Path("standard input")
    try:
        text = untrusted.read_stream(sys.stdin.buffer) if from_stdin else untrusted.read_text(path)
        data = parse_answers(text)
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror or exc}") from None
    except untrusted.UntrustedInputError as exc:
        raise InputError(f"{path}: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (as YAML: line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError(f"{path}: not valid TOML, YAML or JSON{where}") from exc
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


def warn_unusual(engine: Engine, changes: Mapping[str, str]) -> list[str]:
    """Valid but unusual values (a reserved SSH port): said on stderr, applied all the same."""
    warnings = []
    for name, value in changes.items():
        key = engine.keys.get(name)
        text = key.warning(value) if key is not None and key.warning is not None else ""
        if text:
            warnings.append(f"{name}: {text}")
            print(f"ovirt-node-config: warning: {name}: {text}", file=sys.stderr)
    return warnings


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


def secret_values(engine: Engine, changes: Mapping[str, str]) -> list[str]:
    return [value for name, value in changes.items() if name in engine.keys and engine.keys[name].secret]


def run_changes(engine: Engine, changes: Mapping[str, str], dry_run: bool, confirm_timeout: int | None = None,
                record: audit.Change | None = None, report: ChangeReport | None = None,
                show_diff: bool = False) -> int:
    """Plan and run; with `report` (--json) the outcome goes there instead of prose on stdout;
    `show_diff` (--diff) prints what each file becomes (or with a check: would become)."""
    record = record or audit.Change("set", "")
    tx = engine.plan(changes)
    warnings = warn_unusual(engine, changes)
    if confirm_timeout is None:
        confirm_timeout = DEFAULT_CONFIRM_TIMEOUT if sys.stdin.isatty() else 0
    if report is not None:
        report.warnings = warnings
    secrets = secret_values(engine, changes)
    if dry_run:
        planned = planned_diffs([tx], engine.ctx) if (show_diff or report is not None) and tx.steps else {}
        planned = hide_secrets(planned, secrets)
        if report is None:
            print_plan(tx, engine.ctx)
            print_diffs(planned)
        else:
            report.plan(tx, engine.ctx)
            report.diff = planned
        return EXIT_OK
    if not tx.steps:
        if report is None:
            print("Nothing to change: the node already has these values.")
        record.result = "nothing to change"
        return EXIT_OK
    confirm = Confirmation(confirm_on_stdin, confirm_timeout) if confirm_timeout > 0 else None
    paths = [path for step in tx.steps for path in step.backs_up(engine.ctx)]
    before = read_texts(engine.ctx.root, paths)
    found: dict[str, str] = {}
    try:
        tx.run(engine.ctx, print_progress if report is None else report.progress, confirm=confirm)
    finally:  # also after a rollback: whatever is left differs, or the diff is empty
        found = hide_secrets(diffs(before, read_texts(engine.ctx.root, paths)), secrets)
        if report is not None:
            report.diff = found
    if report is None:
        print(f"Applied: {', '.join(sorted(changes))}")
        if show_diff:
            print_diffs(found)
    else:
        report.changed = True
    record.result = "applied"
    return EXIT_OK


def kernel_changes(engine: Engine, args: argparse.Namespace, record: audit.Change,
                   report: ChangeReport | None) -> dict[str, str]:
    """The settings the kernel arguments (given, --from FILE, or the node's /proc/cmdline)
    make; what is ignored or skipped is said (with --json: on stderr and in the warnings)."""
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
    parsed = cmdline.parse(text)
    record.secret_on_command_line = bool(args.args) and any(
        arg.is_secret and arg.value is not None for arg in (*parsed.args, *parsed.init_args))
    found = changes_from_kernel_args(engine, parsed)
    notes = []
    for arg in found.ignored:
        near = found.near.get(arg)
        hint = f"; did you mean {' or '.join(near)}?" if near else ""
        notes.append(f"ignored: {arg} (not a setting this node knows{hint})")
    notes += [f"skipped: {arg}: {reason}" for arg, reason in found.rejected]
    for note in notes:
        print(note, file=sys.stdout if report is None else sys.stderr)
    if report is not None:
        report.warnings.extend(notes)
    record.changes = found.changes
    return dict(found.changes)


def cmd_cmdline(engine: Engine, args: argparse.Namespace, record: audit.Change | None = None,
                report: ChangeReport | None = None) -> int:
    record = record or audit.Change("cmdline", "")
    changes = kernel_changes(engine, args, record, report)
    if not changes:
        if report is None:
            print("No settings in the kernel arguments.")
        record.result = "no settings"
        return EXIT_OK
    warnings = warn_unusual(engine, changes)
    if report is not None:
        report.warnings.extend(warnings)
    if args.dry_run:
        plans = plans_by_area(engine, changes)
        wanted = report is not None or getattr(args, "diff", False)
        found = planned_diffs(plans.values(), engine.ctx) if wanted else {}
        found = hide_secrets(found, secret_values(engine, changes))
        for area, tx in plans.items():
            if report is None:
                print(f"{area}:", end=" ")
                print_plan(tx, engine.ctx)
            else:
                report.plan(tx, engine.ctx)
        if report is None:
            print_diffs(found)
        else:
            report.diff = found
        return EXIT_OK
    # Boot semantics: area by area, so one that cannot apply does not keep the others off.
    paths = [p for tx in plans_by_area(engine, changes).values() for step in tx.steps
             for p in step.backs_up(engine.ctx)]
    before = read_texts(engine.ctx.root, paths)
    if report is None:
        results = apply_by_area(engine, changes, print_progress, lambda area: print(f"{area}:", flush=True))
        for result in results:
            print(result)
    else:
        results = apply_by_area(engine, changes, report.progress, lambda area: report.next_transaction())
    found = hide_secrets(diffs(before, read_texts(engine.ctx.root, paths)), secret_values(engine, changes))
    if report is None and getattr(args, "diff", False):
        print_diffs(found)
    failed = [r.area for r in results if not r.ok]
    record.result = ("failed in part: " if failed else "applied by area: ") + "; ".join(str(r) for r in results)
    if report is not None:
        report.diff = found
        report.changed = any(r.ok and not r.unchanged for r in results)
        if failed:
            report.error = "; ".join(str(r) for r in results if not r.ok)
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


def main(args: argparse.Namespace) -> int:
    ctx = Context(root=root_from(args), bus=args.bus, dry_run=getattr(args, "dry_run", False))
    return guarded(lambda: dispatch(Engine(ctx, all_sections()), args))


def dispatch(engine: Engine, args: argparse.Namespace) -> int:
    try:
        if args.command == "support-bundle":
            return cmd_support_bundle(engine, args)
        if args.command == "test-network":
            from ovirt_node.cli import nettest

            try:
                return nettest.cmd_test_network(engine, args)
            except ValueError as exc:
                print(f"ovirt-node-config: {exc}", file=sys.stderr)
                return EXIT_INVALID
    except (NotARegularFile, SymlinkEscapeError, AugeasError, OSError) as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        return EXIT_FAILED
    record = audit.Change(args.command, audit.who(os.environ), engine.ctx.root)
    try:
        return change(engine, args, record)
    except Interrupted as exc:
        record.result = f"interrupted, rolled back: {exc}"
        raise
    finally:
        if not getattr(args, "dry_run", False):  # a plan only: nothing changed, nothing to record
            audit.emit(record, lambda key: key not in engine.keys or engine.keys[key].secret, sys.argv)


def change(engine: Engine, args: argparse.Namespace, record: audit.Change) -> int:
    """set, set-password, apply, cmdline; `record` gets the changes and the result; with
    --json the outcome (also a refusal or a failure) is one JSON object on stdout."""
    report = ChangeReport() if getattr(args, "json", False) and args.command != "reset" else None
    try:
        return change_and_say(engine, args, record, report)
    finally:
        if report is not None:
            if report.error is None and record.result.startswith(FAILURES):
                report.error = record.result
            print(report.to_json())


def change_and_say(engine: Engine, args: argparse.Namespace, record: audit.Change,
                   report: ChangeReport | None) -> int:
    try:
        if args.command == "reset":  # its own lock, confirmation and --json
            from ovirt_node.cli.reset import cmd_reset

            return cmd_reset(engine, args, record, node_locked, print_progress)
        if args.command == "set":
            changes = parse_assignments(args.assignments)
            record.changes = changes
            refuse_secrets(engine, changes)
        elif args.command == "set-password":
            changes = {PASSWORD_KEY: read_password()}
            record.changes = changes
        elif args.command == "apply":
            if str(args.file) == "-" and (args.confirm_timeout or 0) > 0:
                raise InputError("apply -: the answers come on standard input, so no `yes` can follow them "
                                 "there; leave out --confirm-timeout (a network change is then kept)")
            changes = load_answers(args.file)
            record.changes = changes
        with node_locked(engine, args.wait):  # lock, then read, validate, plan and run
            if args.command == "cmdline":
                return cmd_cmdline(engine, args, record, report)
            return run_changes(engine, changes, args.dry_run, getattr(args, "confirm_timeout", None), record, report,
                               getattr(args, "diff", False))
    except InvalidChanges as exc:
        for key, message in exc.errors.items():
            print(f"ovirt-node-config: invalid {key}: {message}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        record.result = f"invalid ({', '.join(exc.errors)}), nothing changed"
        if report is not None:
            report.error = "; ".join(f"invalid {key}: {message}" for key, message in exc.errors.items())
        return EXIT_INVALID
    except InputError as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        print("Nothing was changed.", file=sys.stderr)
        record.result = "invalid input, nothing changed"  # the message may quote what was typed
        if report is not None:
            report.error = str(exc)
        # what could not be parsed may be a secret typed on this command line (_CMDLINE)
        record.secret_on_command_line = record.secret_on_command_line or args.command in ("set", "cmdline")
        return EXIT_INVALID
    except TransactionError as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        record.result = f"failed, rolled back: {exc}"
        return EXIT_ROLLED_BACK
    except TransactionLocked as exc:
        hint = "" if getattr(args, "wait", 0) else " (or give --wait SECONDS)"
        print(f"ovirt-node-config: {exc}{hint}", file=sys.stderr)
        record.result = f"not run: {exc}"
        return EXIT_FAILED
    except (NotARegularFile, SymlinkEscapeError) as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        record.result = f"failed: {exc}"
        return EXIT_FAILED
    except (AugeasError, OSError) as exc:
        print(f"ovirt-node-config: {exc}", file=sys.stderr)
        record.result = f"failed: {exc}"
        return EXIT_FAILED
