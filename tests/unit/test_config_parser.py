"""The constants `ovirt-node-config`'s help shows are the ones the commands use: the parser
keeps its own copies so that building it (every run, `get` included) imports neither module."""

from __future__ import annotations

import pytest

from ovirt_node.cli import config
from ovirt_node.network.apply import DEFAULT_CONFIRM_TIMEOUT
from ovirt_node.system.accounts import ADMIN_USER


def test_the_help_names_the_account_and_timeout_the_commands_use(capsys: pytest.CaptureFixture[str]) -> None:
    assert (config.ADMIN_USER, config.DEFAULT_CONFIRM_TIMEOUT) == (ADMIN_USER, DEFAULT_CONFIRM_TIMEOUT)
    for command, wanted in (("set", f"(default {DEFAULT_CONFIRM_TIMEOUT} on a terminal"),
                            ("set-password", f"Set the password of the {ADMIN_USER} user")):
        with pytest.raises(SystemExit) as done:
            config.main([command, "--help"])
        assert done.value.code == 0
        assert wanted in " ".join(capsys.readouterr().out.split())


@pytest.mark.parametrize("argv", [
    ["get", "ssh.port"], ["--root", "/tmp/r", "get", "ssh.port"], ["--root=/tmp/r", "--debug", "get", "a.b"],
    ["--debug", "--root", "/x", "--root", "/y", "get", "network.hostname"],
])
def test_the_plain_get_path_parses_as_the_full_parser(argv: list[str]) -> None:
    """`get` without the parser of every command: the same namespace as the full parse."""
    from ovirt_node.cli.config import build_parser, plain_get

    assert plain_get(argv) == build_parser().parse_args(argv)


@pytest.mark.parametrize("argv", [
    ["get"], ["get", "-h"], ["get", "a", "b"], ["--root", "get", "a"], ["--root", "--debug", "get", "a"],
    ["--root="], ["--ro", "/x", "get", "a"], ["--version"], ["show"], ["--bus", "unix:path=/x", "get", "a"],
    ["get", "ssh.port", "--debug"], ["--root", ""],
])
def test_other_shapes_take_the_full_parser(argv: list[str]) -> None:
    """Help, abbreviations, errors and every other command keep argparse's own handling."""
    from ovirt_node.cli.config import plain_get

    assert plain_get(argv) is None
