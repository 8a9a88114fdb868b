"""Root prefix mapping and the argv-only runner."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ovirt_node.core.root import Root, RootEscapeError, SymlinkEscapeError
from ovirt_node.core.run import CommandError, Runner, SecretInArgv


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


def test_runner_passes_secrets_on_stdin_and_masks_what_comes_back(caplog: pytest.LogCaptureFixture) -> None:
    runner = Runner()
    with caplog.at_level(logging.DEBUG, logger="ovirt_node.core.run"):
        result = runner(["sh", "-c", 'read -r l; echo "$l"; echo "$l" >&2; exit 1'], input="user:s3cret\n",
                        secrets=["s3cret"], check=False)
    assert result.stdout == "user:s3cret\n"  # the caller's own data, handed back to it
    assert result.stderr == "user:********\n"  # what error messages quote
    assert "s3cret" not in caplog.text and runner.calls == [("sh", "-c", 'read -r l; echo "$l"; echo "$l" >&2; exit 1')]


@pytest.mark.parametrize("dry_run", [False, True])
def test_runner_refuses_a_secret_in_argv_and_runs_nothing(tmp_path: Path, dry_run: bool) -> None:
    """Every user sees every process's argv (/proc/PID/cmdline): a secret there is refused."""
    runner = Runner(dry_run=dry_run)
    target = tmp_path / "user:s3cret"
    with pytest.raises(SecretInArgv, match=r"refusing to run touch .*user:\*{8}: a secret on a command line") as err:
        runner(["touch", str(target)], secrets=["s3cret"])
    assert "s3cret" not in str(err.value)
    assert not target.exists() and runner.calls == []


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


def _tree(tmp_path: Path) -> tuple[Root, Path]:
    prefix, outside = tmp_path / "root", tmp_path / "outside"
    (prefix / "etc/ssh").mkdir(parents=True)
    outside.mkdir()
    (outside / "shadow").write_text("outside\n")
    return Root.at(prefix), outside


@pytest.mark.parametrize("relative", [False, True])
def test_root_refuses_a_file_link_that_leads_out(tmp_path: Path, relative: bool) -> None:
    root, outside = _tree(tmp_path)
    link = root.prefix / "etc/ssh/sshd_config"
    link.symlink_to("../../../outside/shadow" if relative else outside / "shadow")
    with pytest.raises(SymlinkEscapeError, match=f"^{link} is a symbolic link to .*shadow, which leads outside"):
        root("/etc/ssh/sshd_config")
    assert root("/etc/ssh/sshd_config", follow=False) == link  # the link itself: fine to handle


def test_root_refuses_a_folder_link_that_leads_out_even_for_the_link_itself(tmp_path: Path) -> None:
    root, outside = _tree(tmp_path)
    (root.prefix / "run").symlink_to(outside)
    for follow in (True, False):
        with pytest.raises(SymlinkEscapeError, match=f"^{root.prefix}/run is a symbolic link to {outside},"):
            root("/run/ovirt-node/transaction.lock", follow=follow)


def test_root_follows_links_that_stay_inside(tmp_path: Path) -> None:
    root, _ = _tree(tmp_path)
    (root.prefix / "etc/ssh/real").write_text("x")
    (root.prefix / "etc/ssh/sshd_config").symlink_to("real")
    (root.prefix / "etc/ssh/climbing").symlink_to("../../../../etc/ssh/real")  # `..` stops at the root...
    (root.prefix / "lib").symlink_to("etc")
    assert root("/etc/ssh/sshd_config").read_text() == "x"
    assert root("/lib/ssh/real").read_text() == "x"
    with pytest.raises(SymlinkEscapeError):  # ...for the kernel only under a chroot: here it leaves
        root("/etc/ssh/climbing")


def test_the_host_root_checks_nothing(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to("/etc/hostname")
    assert Root()(str(link)) == link


def test_a_borrowed_folder_may_lead_out(tmp_path: Path) -> None:
    """The installer links its target's /sys to the live one's (the same machine's NICs)."""
    root, outside = _tree(tmp_path)
    (outside / "class/net").mkdir(parents=True)
    (root.prefix / "sys").symlink_to(outside)
    assert Root.at(root.prefix, borrowed=("sys",))("/sys/class/net").is_dir()
    with pytest.raises(SymlinkEscapeError):  # not borrowed: an ordinary outward link
        root("/sys/class/net")


def test_resolve_follows_links_as_the_node_would(tmp_path: Path) -> None:
    root, outside = _tree(tmp_path)
    (root.prefix / "run").mkdir()
    (root.prefix / "run/real.conf").write_text("inside\n")
    (root.prefix / "etc/absolute").symlink_to("/run/real.conf")  # the node's /run, not the host's
    (root.prefix / "etc/climbing").symlink_to("../../../../../run/real.conf")  # `..` stops at /
    (root.prefix / "etc/loop").symlink_to("loop")
    assert root.resolve("/etc/absolute") == root.prefix / "run/real.conf"
    assert root.resolve("/etc/climbing").read_text() == "inside\n"
    with pytest.raises(OSError, match="too many levels"):
        root.resolve("/etc/loop")
