"""`persist`, `unpersist` and the boot-time restore of the `/config` store.

Exit status: 0 when every path went fine, 2 when any path was refused as bad input
(relative, missing, outside the persistable locations...), 1 on any other failure.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from ovirt_node.cli.common import console_parser
from ovirt_node.core.root import Root, SymlinkEscapeError
from ovirt_node.persist.paths import PathRefused, PersistError, PersistResult, RestoreError, normalize
from ovirt_node.persist.store import Store

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_REFUSED = 2


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    parser = console_parser(prog, description)
    parser.add_argument("--root", metavar="DIR", help="operate on the node tree under DIR (default: /)")
    parser.add_argument(
        "--config-dir", metavar="PATH", default="/config", help="the persistent store (default: /config)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every action to stderr")
    return parser


def _setup(args: argparse.Namespace) -> Store:
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(name)s: %(levelname)s: %(message)s",
    )
    root = Root.at(args.root)
    if not root.prefix.is_dir():
        raise PathRefused("not a directory", f"--root {args.root}")
    try:
        return Store(root, args.config_dir)
    except SymlinkEscapeError as exc:  # /config linked out of the tree: no store to write
        print(f"{Path(sys.argv[0]).name}: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_FAILED) from exc


def _shown(path: str) -> str:
    try:
        return normalize(path)
    except PathRefused:
        return path


def _run_each(
    prog: str,
    paths: list[str],
    action: Callable[[str], PersistResult],
    describe: Callable[[str, PersistResult], str],
) -> int:
    refused = failed = False
    for path in paths:
        try:
            result = action(path)
        except PathRefused as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            refused = True
        except PersistError as exc:
            print(f"{prog}: {exc}", file=sys.stderr)
            failed = True
        except OSError as exc:  # what the checks cannot foresee (ELOOP, EIO): a message, not a traceback
            print(f"{prog}: {_shown(path)[:80]}: {exc.strerror or exc}", file=sys.stderr)
            failed = True
        else:
            print(describe(path, result))
    if refused:
        return EXIT_REFUSED
    return EXIT_FAILED if failed else EXIT_OK


def persist_main(argv: list[str] | None = None) -> int:
    """`persist [--root DIR] [--config-dir PATH] PATH...` or `persist --list`."""
    parser = _parser("persist", "Keep files, directories or symlinks across reboots (in /config).")
    parser.add_argument("--list", action="store_true", help="print the persisted paths and exit")
    parser.add_argument("--refresh", action="store_true",
                        help="copy the persisted account files (passwd, shadow, group, gshadow) that changed "
                             "back into the store (they are copies, not bind mounts)")
    parser.add_argument("paths", nargs="*", metavar="PATH", help="absolute path to persist")
    args = parser.parse_args(argv)
    if (args.list or args.refresh) and args.paths:
        parser.error("--list and --refresh take no paths")
    if not args.list and not args.refresh and not args.paths:
        parser.error("give at least one PATH (or --list, --refresh)")
    try:
        store = _setup(args)
    except PathRefused as exc:
        parser.error(str(exc) if exc.path and exc.path.startswith("--root") else f"--config-dir {exc.reason}")
    if args.list:
        for entry in store.list():
            print(entry)
        return EXIT_OK
    if args.refresh:
        try:
            for path in store.refresh():
                print(f"Updated the persisted copy of {path}")
        except PersistError as exc:
            print(f"persist: {exc}", file=sys.stderr)
            return EXIT_FAILED
        return EXIT_OK

    def describe(path: str, result: PersistResult) -> str:
        shown = _shown(path)
        if result is PersistResult.PERSISTED:
            return f"Successfully persisted {shown}"
        if result is PersistResult.UPDATED:
            return f"Updated the persisted copy of {shown}"
        owner = store.covered_by(shown)
        if owner is not None and owner != shown:
            return f"{shown} is already persisted (under {owner})"
        return f"{shown} is already persisted"

    return _run_each("persist", args.paths, store.persist, describe)


def unpersist_main(argv: list[str] | None = None) -> int:
    """`unpersist [--root DIR] [--config-dir PATH] PATH...`."""
    parser = _parser("unpersist", "Stop keeping paths in /config; they keep their current content.")
    parser.add_argument("paths", nargs="+", metavar="PATH", help="absolute path to unpersist")
    args = parser.parse_args(argv)
    try:
        store = _setup(args)
    except PathRefused as exc:
        parser.error(str(exc) if exc.path and exc.path.startswith("--root") else f"--config-dir {exc.reason}")

    def describe(path: str, result: PersistResult) -> str:
        shown = _shown(path)
        if result is PersistResult.UNPERSISTED:
            return f"Successfully unpersisted {shown}"
        owner = store.covered_by(shown)
        if owner is not None:
            return f"{shown} is not persisted (it is part of the persisted {owner})"
        return f"{shown} is not persisted"

    return _run_each("unpersist", args.paths, store.unpersist, describe)


def restore_main(argv: list[str] | None = None) -> int:
    """Boot time: bind-mount / re-create every persisted path (see `Store.restore`)."""
    parser = _parser("ovirt-node-restore-config", "Put every path persisted in /config back in place (boot).")
    args = parser.parse_args(argv)
    try:
        store = _setup(args)
    except PathRefused as exc:
        parser.error(str(exc) if exc.path and exc.path.startswith("--root") else f"--config-dir {exc.reason}")
    try:
        restored = store.restore()
    except RestoreError as exc:
        for path in exc.restored:
            print(f"Restored {path}")
        for failure in exc.failures:
            print(f"restore: {failure}", file=sys.stderr)
        return EXIT_FAILED
    except PersistError as exc:
        print(f"restore: {exc}", file=sys.stderr)
        return EXIT_FAILED
    for path in restored:
        print(f"Restored {path}")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(persist_main())
