"""Lock-screen authenticators, the thread-safe engine context, and ovirt-node-setup's helpers."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ovirt_node.cli import setup as setup_cli
from ovirt_node.core.root import Root
from ovirt_node.system.pam import PamAuthenticator
from ovirt_node.ui.auth import DemoAuthenticator


def test_demo_authenticator() -> None:
    auth = DemoAuthenticator()
    assert auth.user == "admin"
    assert auth.authenticate("demo") and not auth.authenticate("Demo") and not auth.authenticate("")


def test_pam_refuses_an_unknown_user_without_raising(caplog: pytest.LogCaptureFixture) -> None:
    auth = PamAuthenticator(user="ovirt-node-no-such-user")
    with caplog.at_level(logging.DEBUG):
        assert auth.authenticate("not-the-password-123") is False
    assert "not-the-password-123" not in caplog.text  # never logged


@pytest.mark.parametrize(("term", "tty", "basic"), [
    ("vt100", "/dev/ttyS0", True),
    ("vt220", "/dev/ttyS1", True),
    ("linux", "/dev/ttyS0", True),
    ("linux", "/dev/tty1", False),
    ("xterm-256color", "/dev/ttyS0", False),
    ("vt100", "/dev/pts/3", False),
    ("vt100", None, False),
])
def test_basic_mode_is_chosen_on_serial_lines(term: str, tty: str | None, basic: bool) -> None:
    assert setup_cli.want_basic({"TERM": term}, tty) is basic


def test_logging_goes_under_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    saved = logging.getLogger().handlers[:], logging.getLogger().level
    try:
        path = setup_cli.setup_logging(Root.at(root), debug=False)
        logging.getLogger("ovirt_node.test").info("hello log")
        for handler in logging.getLogger().handlers:
            handler.flush()
    finally:
        for handler in logging.getLogger().handlers:
            handler.close()
        logging.getLogger().handlers[:], level = saved
        logging.getLogger().setLevel(level)
    assert path == root / "var/log/ovirt-node/setup.log"
    assert "hello log" in path.read_text()


def test_machine_from_a_profile_name_a_file_or_probing(tmp_path: Path) -> None:
    from ovirt_node.system.machine.profile import ProfileError, profile_path

    assert setup_cli.load_machine("demo", Root.at(tmp_path)).name == "demo"
    assert setup_cli.load_machine(str(profile_path("demo")), Root.at(tmp_path)).name == "demo"
    with pytest.raises(ProfileError):
        setup_cli.load_machine(str(tmp_path / "missing.json"), Root.at(tmp_path))
    assert setup_cli.load_machine(None, Root.at(tmp_path)).cpus >= 1  # an empty tree probes as a tiny machine


def test_setup_refuses_to_run_without_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert setup_cli.main(["--root", str(tmp_path), "--machine", "demo"]) == 1
    assert "needs a terminal" in capsys.readouterr().err
