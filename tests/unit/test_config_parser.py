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
