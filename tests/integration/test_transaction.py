"""Transactions: rollback leaves every file byte-identical, the lock, progress events."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ovirt_node.areas.ssh import SSHD_CONFIG, set_global_option
from ovirt_node.core.aug import Augeas
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.core.steps import AugeasEdit, WriteDefaults, WriteFile
from ovirt_node.core.transaction import (
    LOCK_PATH,
    Progress,
    Step,
    StepRun,
    StepState,
    Transaction,
    TransactionError,
    TransactionLocked,
    transaction_lock,
)
from tests.dbus_env import SYSTEMD_MANAGER, MockService, systemd_job_code
from tests.node_fixtures import run_config, snapshot


@dataclass(frozen=True)
class HalfWriteThenFail(Step):
    """Writes part of a file, then fails: the transaction must undo its own partial write too."""

    path: str
    title: str = "Break in the middle"

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.root(self.path).write_text("half written")
        raise RuntimeError("disk on fire")


def four_steps(ctx: Context) -> Transaction:
    def sshd(aug: Augeas) -> None:
        set_global_option(aug, "Port", "2222")

    return Transaction("test", [
        WriteDefaults({"OVIRT_SSH_PORT": "2222", "OVIRT_HOSTNAME": None}),
        AugeasEdit("Configure sshd", SSHD_CONFIG, sshd),
        HalfWriteThenFail("/etc/rsyslog.conf"),
        WriteFile("/etc/new/never.conf", "never\n"),
    ])


def make_ctx(root: Path) -> Context:
    ctx = Context(root=Root.at(root))
    ctx.need([SSHD_CONFIG])
    return ctx


def test_failure_in_step_3_of_4_restores_every_file(node_root: Path) -> None:
    (node_root / "etc/rsyslog.conf").chmod(0o640)
    before = snapshot(node_root)
    ctx = make_ctx(node_root)
    events: list[Progress] = []
    with pytest.raises(TransactionError) as err:
        four_steps(ctx).run(ctx, events.append)
    assert "Break in the middle failed: disk on fire" in str(err.value)
    assert "all changes were rolled back" in str(err.value)
    assert snapshot(node_root) == before  # content, mode and owner of every file, no new files
    assert [(e.index, e.state) for e in events] == [
        (1, StepState.RUNNING), (1, StepState.DONE),
        (2, StepState.RUNNING), (2, StepState.DONE),
        (3, StepState.RUNNING), (3, StepState.FAILED),
        (3, StepState.ROLLED_BACK), (2, StepState.ROLLED_BACK), (1, StepState.ROLLED_BACK),
    ]
    # The handle was reloaded: it shows the restored file, not the rolled-back edit.
    assert ctx.aug.get("/files/etc/ssh/sshd_config/Port") is None
    # The lock was released: the next transaction runs.
    Transaction("next", [WriteDefaults({"OVIRT_X": "1"})]).run(ctx)
    assert 'OVIRT_X="1"' in (node_root / "etc/default/ovirt").read_text()


def test_success_reports_each_step(node_root: Path) -> None:
    ctx = make_ctx(node_root)
    events: list[Progress] = []
    Transaction("ok", [WriteFile("/etc/motd", "hello\n", mode=0o600)]).run(ctx, events.append)
    assert str(events[-1]) == "(1/1) Write /etc/motd: done"
    assert (node_root / "etc/motd").stat().st_mode & 0o777 == 0o600


def test_write_file_keeps_mode_and_owner(node_root: Path) -> None:
    target = node_root / "etc/hostname"
    target.chmod(0o604)
    import os

    os.chown(target, 1234, 4321)
    Transaction("w", [WriteFile("/etc/hostname", "other\n")]).run(make_ctx(node_root))
    st = target.stat()
    assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o604, 1234, 4321)
    assert target.read_text() == "other\n"


def test_second_transaction_gets_a_clear_error(node_root: Path) -> None:
    ctx = make_ctx(node_root)
    held = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with transaction_lock(Root.at(node_root)(LOCK_PATH)):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(5)
        before = snapshot(node_root)
        with pytest.raises(TransactionLocked, match="another change is in progress"):
            Transaction("blocked", [WriteDefaults({"OVIRT_X": "1"})]).run(ctx)
        assert snapshot(node_root) == before
    finally:
        release.set()
        thread.join()
    Transaction("after", [WriteDefaults({"OVIRT_X": "1"})]).run(ctx)


def test_describe_marks_runtime_steps_skipped_under_a_prefix(node_root: Path) -> None:
    from ovirt_node.core.steps import RestartUnit

    ctx = make_ctx(node_root)
    lines = Transaction("p", [RestartUnit("ssh.service")]).describe(ctx)
    assert lines == [f"(1/1) Restart ssh.service  [skipped: root prefix {node_root}: runtime effects need --bus]"]


def test_run_command_step_masks_secrets_and_follows_the_bus_rule(node_root: Path) -> None:
    from ovirt_node.core.steps import RunCommand

    ctx = make_ctx(node_root)
    target = node_root / "etc/from-command"
    write = RunCommand("Write with tee", ["tee", str(target)], stdin="hunter2-data\n", files=["/etc/from-command"])
    secret = RunCommand("Set a password", ["true"], stdin="hunter2\n", secrets=["hunter2"])
    live = RunCommand("Reload the kernel's view", ["touch", str(node_root / "etc/live-effect")], runtime=True)
    tx = Transaction("cmds", [write, secret, live])
    assert secret.describe() == "Set a password: true"
    tx.run(ctx)
    assert target.read_text() == "hunter2-data\n"
    assert ctx.runner.calls[1] == ("true",)
    assert not (node_root / "etc/live-effect").exists()  # runtime effect: skipped under a prefix


def test_failed_command_rolls_back_the_files_it_declared(node_root: Path) -> None:
    from ovirt_node.core.steps import RunCommand

    ctx = make_ctx(node_root)
    before = snapshot(node_root)
    tx = Transaction("cmds", [
        WriteFile("/etc/motd", "hello\n"),
        RunCommand("Fail", ["sh", "-c", "echo partial > \"$0\"; exit 3", str(node_root / "etc/hostname")],
                   files=["/etc/hostname"]),
    ])
    with pytest.raises(TransactionError, match="Fail failed: sh exited with 3"):
        tx.run(ctx)
    assert snapshot(node_root) == before


@dataclass(frozen=True)
class FailSilently(Step):
    """Fails with an exception whose text is empty, as a `next()` on an empty search does."""

    title: str = "Configure the widget"

    def apply(self, ctx: Context, run: StepRun) -> None:
        next(iter(()))


def test_a_failure_without_a_message_is_reported_with_its_type_and_place(node_root: Path) -> None:
    before = snapshot(node_root)
    ctx = make_ctx(node_root)
    events: list[Progress] = []
    tx = Transaction("test", [WriteDefaults({"OVIRT_X": "1"}), FailSilently()])
    with pytest.raises(TransactionError) as err:
        tx.run(ctx, events.append)
    assert str(err.value).startswith(
        "Configure the widget failed: StopIteration (no message) in apply(), test_transaction.py line ")
    assert str(err.value).endswith("; all changes were rolled back")
    assert "failed: ;" not in str(err.value)
    failed = [e for e in events if e.state is StepState.FAILED]
    assert [e.detail for e in failed] == [err.value.reason]
    assert snapshot(node_root) == before


def test_a_rollback_restarts_the_daemons_again_on_the_restored_files(
        node_root: Path, systemd_mock: MockService, tmp_path: Path) -> None:
    """rsyslog is restarted on the new forwarding rule, then iscsid fails to restart (unknown
    unit): the files come back, and rsyslog is restarted once more, now reading the old ones
    (without that it would keep forwarding to the server of the change that was refused)."""
    conf = node_root / "etc/rsyslog.d/ovirt-node-remote.conf"
    seen = tmp_path / "restarts"
    record = (f"open({str(seen)!r}, 'a').write(str(args[0]) + ' ' + (open({str(conf)!r}).read().replace(chr(10), ' ') "
              f"if __import__('os').path.exists({str(conf)!r}) else '(no forwarding rule)') + '\\n')\n")
    systemd_mock.mock.AddMockUnit("rsyslog.service")
    systemd_mock.mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o", record + systemd_job_code())
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set",
                        "logging.rsyslog.server=logs.example.com", "iscsi.initiator_name=iqn.2024-01.com.example:n1")
    assert result.returncode == 3 and "all changes were rolled back" in result.stderr
    lines = seen.read_text().splitlines()
    assert lines[0].startswith("rsyslog.service ") and "logs.example.com" in lines[0]
    assert lines[-1] == "rsyslog.service (no forwarding rule)", lines
    assert not conf.exists()
