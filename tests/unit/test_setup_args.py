"""The setup TUI reads its usual arguments without argparse (cli/setup.py's quick_args):
what it reads must be what argparse would, and anything else must reach argparse."""

from __future__ import annotations

import pytest

from ovirt_node.cli.setup import QUICK_OPTIONS, build_parser, quick_args


def test_the_quick_table_is_the_parsers_options() -> None:
    parser = build_parser()
    options = {action.option_strings[-1]: (action.dest, action.nargs is None and action.const is None, action.default)
               for action in parser._actions if action.dest not in ("help", "version")}
    assert options == QUICK_OPTIONS


USUAL = [
    [],
    ["--root", "/tmp/node", "--machine", "demo", "--demo"],
    ["--machine", "demo", "--root", "/srv/a", "--root", "/srv/b"],  # the last one counts, as argparse has it
    ["--basic", "--mono", "--debug", "--self-test"],
    ["--login-tty", "/dev/ttyS0", "--bus", "unix:path=/run/bus"],
    ["--root", ""],
]


@pytest.mark.parametrize("argv", USUAL, ids=lambda argv: " ".join(argv) or "none")
def test_the_usual_arguments_read_as_argparse_reads_them(argv: list[str]) -> None:
    quick = quick_args(argv)
    assert quick is not None and vars(quick) == vars(build_parser().parse_args(argv))


OTHERS = [["--help"], ["-h"], ["--version"], ["--root=/tmp/node"], ["--mach", "demo"], ["--root"],
          ["--root", "--demo"], ["-v"], ["node"], ["--demo", "--colour"]]


@pytest.mark.parametrize("argv", OTHERS, ids=" ".join)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert quick_args(argv) is None
