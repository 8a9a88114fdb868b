"""What every console script shares: `--version`, `--root`, `--bus`, `--debug` and logging set-up."""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Protocol

from ovirt_node import __version__
from ovirt_node.core.root import Root

if TYPE_CHECKING:
    import argparse


def _columns() -> int:
    """The terminal's width as shutil.get_terminal_size finds it (COLUMNS, then stdout's
    terminal, else 80), without importing shutil."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns if sys.__stdout__ else 0
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def console_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The argument parser of one console script, answering `--version` with the product's.
    argparse is imported here, not with this module: the setup TUI reads its usual arguments
    without it (cli/setup.py's quick_args)."""
    import argparse

    class HelpFormatter(argparse.HelpFormatter):
        """argparse's own formatter, told the width: left to find it, argparse imports shutil, and
        with it the bz2 and lzma libraries, on every add_argument (0.4 MiB and about 10 ms of each
        script's start)."""

        def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                     width: int | None = None) -> None:
            super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)

    parser = argparse.ArgumentParser(prog=prog, description=description, formatter_class=HelpFormatter)
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


class HasRoot(Protocol):
    root: str


def root_from(args: HasRoot) -> Root:
    """The Root of `--root`; a missing directory is bad input (exit 2), not a failure."""
    root = Root.at(args.root)
    if not root.prefix.is_dir():
        print(f"--root {args.root}: not a directory", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    return root
