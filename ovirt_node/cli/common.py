"""What every console script shares: `--version`, `--root`, `--bus`, `--debug` and logging set-up."""

from __future__ import annotations

import argparse
import logging
import sys

from ovirt_node import __version__
from ovirt_node.core.root import Root


def console_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The argument parser of one console script, answering `--version` with the product's."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def add_common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", metavar="DIR", default="/",
                        help="operate on the node tree under DIR instead of / (installer, tests, demo)")
    parser.add_argument("--debug", action="store_true", help="log every step and command to stderr")


def add_bus_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bus", metavar="ADDRESS",
                        help="D-Bus address to perform runtime effects on when --root is not /")


def setup_logging(debug: bool) -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


#: The exit status of bad input (as argparse's own errors): nothing was done.
EXIT_BAD_INPUT = 2


def root_from(args: argparse.Namespace) -> Root:
    """The Root of `--root`; a missing directory is bad input (exit 2), not a failure."""
    root = Root.at(args.root)
    if not root.prefix.is_dir():
        print(f"--root {args.root}: not a directory", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    return root
