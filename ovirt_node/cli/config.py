"""`ovirt-node-config`: read and change the node's settings without the TUI.

Exit codes: 0 ok, 1 other failure (e.g. another change in progress, and --wait not given or
run out), 2 invalid input (the message names the key and the rule), 3 the change failed and
was rolled back (`cmdline`: one area or more failed and was rolled back; the others were
applied), 128+N interrupted by signal N (SIGINT, SIGTERM, SIGHUP): rolled back.

`--check` (alias `--dry-run`) plans a change and writes nothing; `--diff` shows what each file
becomes; `--json` says the outcome as one object (change_report.py). `export` writes the
settings as an answers file `apply` takes; `schema --json` describes its keys (JSON Schema).

A change takes the node's transaction lock before it reads the node, and holds it until it
has been applied: two changes at once cannot plan on the same old state and lose one.

Secrets (the admin password) are never taken from the command line, where the process list
shows them to every user: `set-password` reads the password from stdin or asks for it twice.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ovirt_node.cli import nettest, reset
from ovirt_node.cli.common import add_bus_option, add_common_options, console_parser, setup_logging

#: Shown in the help: the account `set-password` sets, and the seconds a network change waits
#: for `yes` (system.accounts.ADMIN_USER and network.apply.DEFAULT_CONFIRM_TIMEOUT, which
#: tests/unit/test_config_parser.py holds these to: importing those modules here would make
#: every `get` pay for them).
ADMIN_USER = "admin"
DEFAULT_CONFIRM_TIMEOUT = 60
#: The commands that only read: they never import the modules that change the node.
READS = ("show", "get")


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
    add_result_options(set_)
    add_wait_option(set_)
    add_confirm_option(set_)

    apply = sub.add_parser("apply", help="apply an answers file (TOML, YAML or JSON) of keys, as export writes it")
    apply.add_argument("file", type=Path, help="the answers file; - reads it from standard input")
    add_result_options(apply)
    add_wait_option(apply)
    add_confirm_option(apply)

    password = sub.add_parser(
        "set-password", help=f"set the password of the {ADMIN_USER} user (read from stdin, or asked for twice)",
        description=f"Set the password of the {ADMIN_USER} user with chpasswd. On a terminal the password is "
        "asked for twice (not echoed) and its strength shown; otherwise the first line of stdin is the "
        "password (e.g. `ovirt-node-config set-password < file`). It is never an argument, never logged "
        "and never stored in /etc/default/ovirt.",
    )
    add_result_options(password, diff=False)
    add_wait_option(password)

    kargs = sub.add_parser(
        "cmdline", help="apply kernel arguments (3.x names), area by area as at boot",
        description="Apply kernel arguments as the node does at boot: each area (ssh, network, monitoring, ...) "
        "in its own transaction, so an area that fails is rolled back and reported while the others apply. "
        "Exit 3 when any area failed.")
    kargs.add_argument("args", nargs="*", help="arguments (default: /proc/cmdline under the root)")
    kargs.add_argument("--from", dest="from_file", type=Path, metavar="FILE", help="read them from FILE")
    add_result_options(kargs)
    add_wait_option(kargs)

    export = sub.add_parser(
        "export", help="write the node's settings as an answers file (TOML; --json: JSON) that apply takes",
        description="Write what ovirt-node has recorded (the keys /etc/default/ovirt holds, with the values in "
        "effect, and the SSH keys) as an answers file for `apply` (TOML, or JSON with --json). The admin "
        "password is left out unless --with-secrets: then its crypt(3) hash, which apply sets as it is.")
    export.add_argument("--json", action="store_true", help="JSON instead of TOML")
    export.add_argument("--with-secrets", action="store_true", help="add the admin password's hash")
    export.add_argument("--output", metavar="FILE", help="write to FILE (a new file is mode 0600) instead of "
                        "standard output (also -)")

    schema = sub.add_parser(
        "schema", help="every key: type, rule, default, kernel arguments (--json: JSON Schema, draft 2020-12)",
        description="Describe every key the node knows, the plugins' included. With --json: the JSON Schema "
        "(draft 2020-12) of the answers file export writes and apply takes.")
    schema.add_argument("--json", action="store_true", help="the JSON Schema instead of a table")

    support = sub.add_parser(
        "support-bundle", help="write a support bundle: logs, settings, config files, tool output; secrets removed",
        description="Collect the node's logs, /etc/default/ovirt, the persisted file list, the configuration files "
        "the node manages and the output of the diagnostic tools into one .tar.gz (mode 0600) with a manifest; "
        "passwords, password hashes and private keys are replaced by <redacted>. Over SSH: "
        "`ssh admin@node ovirt-node-config support-bundle --output - > bundle.tar.gz`.",
    )
    support.add_argument("--output", metavar="FILE", help="write to FILE (must not exist; a folder: a new name in "
                         "it; - for stdout) instead of a new file in /data/support")
    nettest.add_parser(sub)
    reset.add_parser(sub)
    return parser


def add_result_options(parser: argparse.ArgumentParser, diff: bool = True) -> None:
    """--check (alias --dry-run), --diff and --json: what a change says, and whether it is made."""
    parser.add_argument("--check", "--dry-run", dest="dry_run", action="store_true",
                        help="plan only: print the steps (and with --diff what each file would become), change "
                             "nothing; exit 0 when the change is valid")
    if diff:
        parser.add_argument("--diff", action="store_true",
                            help="print a unified diff of every file the change writes (with --check: would write)")
    parser.add_argument("--json", action="store_true", help="print the result as one JSON object: changed, steps, "
                        "warnings, diff (of each file written, or with --check that would be), error")


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


def add_confirm_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--confirm-timeout", type=int, metavar="SECONDS", default=None,
        help="after a network change, wait this long for `yes` on stdin before NetworkManager rolls it back "
             f"(default {DEFAULT_CONFIRM_TIMEOUT} on a terminal, else 0: keep it without asking)")


def plain_get(argv: Sequence[str]) -> argparse.Namespace | None:
    """`[--root DIR] [--debug] get KEY` as the full parser would parse it, or None for anything
    else: the most common read in scripts skips building the parser of every command (a
    tenth of its run time). Any other shape, `-h` or `--version` included, takes the parser."""
    root, debug, rest = "/", False, list(argv)
    while rest and rest[0] in ("--root", "--debug") or rest and rest[0].startswith("--root="):
        option = rest.pop(0)
        if option == "--debug":
            debug = True
        elif option.startswith("--root="):
            root = option.partition("=")[2]
        elif rest and not rest[0].startswith("-"):
            root = rest.pop(0)
        else:
            return None
    if len(rest) != 2 or rest[0] != "get" or rest[1].startswith("-") or not root:
        return None
    return argparse.Namespace(root=root, debug=debug, bus=None, command="get", key=rest[1])


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C outside a change (while the arguments are parsed, before the lock is taken):
        # a change turns SIGINT into a rollback itself, so here nothing is half done.
        print("ovirt-node-config: interrupted by SIGINT (no change was in progress)", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = plain_get(given) or build_parser().parse_args(wait_argument(given))
    setup_logging(args.debug)
    if args.command == "schema":
        from ovirt_node.cli import config_schema

        return config_schema.main(args)
    if args.command == "export":
        from ovirt_node.cli import config_export

        return config_export.main(args)
    if args.command in READS:
        from ovirt_node.cli import config_read

        return config_read.main(args)
    from ovirt_node.cli import config_change

    return config_change.main(args)


if __name__ == "__main__":
    sys.exit(main())
