"""Root prefix mapping and the argv-only runner."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ovirt_node.core.root import Root, RootEscapeError
from ovirt_node.core.run import CommandError, Runner


def test_root_maps_node_paths_under_the_prefix(tmp_path: Path) -> None:
    root = Root.at(tmp_path)
    assert root("/etc/ssh/sshd_config") == tmp_path / "etc/ssh/sshd_config"
    assert root("/") == tmp_path
    assert root("/../../etc/passwd") == tmp_path / "etc/passwd"  # `..` cannot climb out
    assert not root.is_host and Root().is_host
    assert Root()("/etc/hosts") == Path("/etc/hosts")


def test_root_refuses_relative_paths(tmp_path: Path) -> None:
    with pytest.raises(RootEscapeError):
        Root.at(tmp_path)("etc/hosts")


def test_runner_runs_argv_and_logs_with_secrets_masked(caplog: pytest.LogCaptureFixture) -> None:
    runner = Runner()
    with caplog.at_level(logging.INFO, logger="ovirt_node.core.run"):
        result = runner(["echo", "user:s3cret"], secrets=["s3cret"])
    assert result.ok and result.stdout == "user:s3cret\n"
    assert "s3cret" not in caplog.text and "echo user:********" in caplog.text
    assert runner.calls == [("echo", "user:********")]


def test_runner_refuses_shell_strings() -> None:
    with pytest.raises(TypeError):
        Runner()("echo hi")  # type: ignore[arg-type]


def test_dry_run_records_and_executes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "created"
    runner = Runner(dry_run=True)
    result = runner(["touch", str(target)])
    assert result.ok and not target.exists()
    assert runner.calls == [("touch", str(target))]


def test_failures_raise_with_the_reason() -> None:
    with pytest.raises(CommandError, match="ls exited with 2"):
        Runner()(["ls", "/nonexistent-dir"])
    with pytest.raises(CommandError, match="command not found"):
        Runner()(["/no/such/program"])
    assert Runner()(["false"], check=False).returncode == 1
