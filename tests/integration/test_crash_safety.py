"""Nothing lost, nothing leaked: failures outside a step, signals, odd files, the lock file,
leftovers and a run killed half way (the next run rolls it back from its journal)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ovirt_node.core.context import Context
from ovirt_node.core.journal import JOURNAL_DIR
from ovirt_node.core.root import Root
from ovirt_node.core.steps import EnableUnit, WriteDefaults, WriteFile
from ovirt_node.core.transaction import (
    LOCK_PATH,
    NotARegularFile,
    Step,
    StepRun,
    Transaction,
    TransactionError,
    transaction_lock,
)
from tests.node_fixtures import REPO, changed_paths, run_config, snapshot


@dataclass(frozen=True)
class Raise(Step):
    """Writes its file, then raises what it is given (a KeyboardInterrupt, a SystemExit)."""

    path: str
    exc: BaseException
    title: str = "Raise"

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.root(self.path).write_text("half written")
        raise self.exc


def leftovers(root: Path) -> list[str]:
    """What a run must not leave: its journal, the lock file, temporary files."""
    found = [p for p in (JOURNAL_DIR, LOCK_PATH) if Root.at(root)(p).exists()]
    found += [str(p) for p in root.rglob(".ovirt-node-tmp.*")]
    return found


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(3)], ids=["KeyboardInterrupt", "SystemExit"])
def test_an_interrupt_inside_a_step_rolls_back(node_root: Path, exc: BaseException) -> None:
    before = snapshot(node_root)
    ctx = Context(root=Root.at(node_root))
    tx = Transaction("t", [WriteDefaults({"OVIRT_X": "1"}), Raise("/etc/rsyslog.conf", exc)])
    with pytest.raises(type(exc)):
        tx.run(ctx)
    assert snapshot(node_root) == before
    assert leftovers(node_root) == []


def test_a_fifo_where_a_file_is_written_is_refused_before_anything_is_written(node_root: Path) -> None:
    os.mkfifo(node_root / "etc/motd")
    before = snapshot(node_root)
    ctx = Context(root=Root.at(node_root))
    tx = Transaction("t", [WriteDefaults({"OVIRT_X": "1"}), WriteFile("/etc/motd", "hi\n")])
    with pytest.raises(NotARegularFile, match=r"/etc/motd is a FIFO, not a regular file; nothing was changed"):
        tx.run(ctx)
    assert snapshot(node_root) == before
    assert leftovers(node_root) == []


@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_set_with_an_odd_file_in_place_of_vconsole_conf_changes_nothing(node_root: Path, kind: str) -> None:
    target = node_root / "etc/vconsole.conf"
    target.unlink()
    target.mkdir() if kind == "directory" else os.mkfifo(target)
    before = snapshot(node_root)
    result = subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(node_root), "set",
                             "keyboard.keymap=fr"], capture_output=True, text=True, cwd=REPO, timeout=30)
    assert result.returncode == 1
    shown = "a directory" if kind == "directory" else "a FIFO"
    assert f"/etc/vconsole.conf: is {shown}, not a regular file; nothing was changed" in result.stderr
    assert snapshot(node_root) == before  # no OVIRT_KEYBOARD_LAYOUT="fr" while the system keeps us
    assert leftovers(node_root) == []


def test_rollback_removes_the_folders_the_run_made(node_root: Path) -> None:
    unit = node_root / "usr/lib/systemd/system/ovirt-test.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text("[Install]\nWantedBy=ovirt-test.target\n")
    before = snapshot(node_root)
    ctx = Context(root=Root.at(node_root))
    tx = Transaction("t", [EnableUnit("ovirt-test.service"), Raise("/etc/motd", RuntimeError("boom"))])
    with pytest.raises(TransactionError, match="all changes were rolled back"):
        tx.run(ctx)
    assert not (node_root / "etc/systemd/system/ovirt-test.target.wants").exists()
    assert changed_paths(before, snapshot(node_root)) == set()


def test_the_lock_file_goes_with_the_run_and_a_dead_holders_is_taken_over(
        node_root: Path, caplog: pytest.LogCaptureFixture) -> None:
    ctx = Context(root=Root.at(node_root))
    Transaction("t", [WriteDefaults({"OVIRT_X": "1"})]).run(ctx)
    assert leftovers(node_root) == []
    lock = Root.at(node_root)(LOCK_PATH)
    pid = subprocess.Popen(["true"])  # a pid that no longer runs
    pid.wait()
    lock.write_text(str(pid.pid))  # what a kill -9 leaves
    with transaction_lock(lock):
        assert lock.read_text() == str(os.getpid())
    assert f"took over the transaction lock of pid {pid.pid}, which is no longer running" in caplog.text
    assert not lock.exists()


def test_temp_files_of_a_dead_run_are_removed_before_the_next(node_root: Path) -> None:
    stale = node_root / "etc/.ovirt-node-tmp.motd.x1y2z3"
    stale.write_text("half")
    Transaction("t", [WriteFile("/etc/motd", "hi\n")]).run(Context(root=Root.at(node_root)))
    assert not stale.exists()
    assert (node_root / "etc/motd").read_text() == "hi\n"


def test_a_value_only_in_the_defaults_file_is_written_to_the_real_file(node_root: Path) -> None:
    with (node_root / "etc/default/ovirt").open("a") as f:
        f.write('OVIRT_SYSLOG_SERVER="log.example.com"\n')
    result = run_config("--root", str(node_root), "set", "logging.rsyslog.server=log.example.com")
    assert result.returncode == 0, result.stderr
    assert "Nothing to change" not in result.stdout
    assert "log.example.com" in (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
    again = run_config("--root", str(node_root), "set", "logging.rsyslog.server=log.example.com")
    assert "Nothing to change" in again.stdout


def test_a_change_in_progress_is_refused_at_once_or_waited_for(node_root: Path) -> None:
    lock = Root.at(node_root)(LOCK_PATH)
    with transaction_lock(lock):
        refused = run_config("--root", str(node_root), "set", "ssh.port=2222")
        assert refused.returncode == 1
        assert f"another change is in progress (pid {os.getpid()})" in refused.stderr
        assert "--wait" in refused.stderr
        waiting = subprocess.Popen([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(node_root), "set",
                                    "--wait", "ssh.port=2222"], cwd=REPO, stdout=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            waiting.wait(1.5)
    out, _ = waiting.communicate(timeout=30)
    assert waiting.returncode == 0
    assert "Applied: ssh.port" in out
    assert run_config("--root", str(node_root), "get", "ssh.port").stdout == "2222\n"


def cli(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root), *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_sets_at_once_both_land(node_root: Path) -> None:
    """Started together 20 times, two changes of different keys: the second waits (--wait) and
    plans on what the first wrote, so no key vanishes from either file."""
    for n in range(20):
        port, server = str(2200 + n), f"log{n}.example.com"
        pair = [cli(node_root, "set", "--wait", "60", f"ssh.port={port}"),
                cli(node_root, "set", "--wait", "60", f"logging.rsyslog.server={server}")]
        for proc in pair:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
        defaults = (node_root / "etc/default/ovirt").read_text()
        assert f'OVIRT_SSH_PORT="{port}"' in defaults and f'OVIRT_SYSLOG_SERVER="{server}"' in defaults, n
        assert f"Port {port}" in (node_root / "etc/ssh/sshd_config").read_text()
        assert server in (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").read_text()
    assert leftovers(node_root) == []


#: Several keys in several files: five file-writing steps, then persist and restart steps.
CHANGE = ("ssh.port=2222", "logging.rsyslog.server=log.example.com", "logging.netconsole.server=192.0.2.9",
          "keyboard.keymap=fr")


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[object, str]]:
    """The tree and `show --json` before and after the change, from a run nobody interrupts."""
    from ovirt_node.core.resources import copy_demo_root

    refs = {}
    for name in ("before", "after"):
        root = copy_demo_root(tmp_path_factory.mktemp(name) / "root")
        if name == "after":
            run_config("--root", str(root), "set", *CHANGE, check=True)
        refs[name] = (snapshot(root), run_config("--root", str(root), "show", "--json", check=True).stdout)
    return refs


def interrupt(root: Path, sig: int, after_lines: int | None, delay: float) -> subprocess.Popen[str]:
    """Start the change and send `sig` once it printed `after_lines` step lines (a step boundary:
    a line is printed as each step ends; 0: once its journal exists), or else after `delay` s.
    The signal comes from outside, as kill would send it: the code under test has no test hook."""
    import time

    proc = cli(root, "set", *CHANGE)
    assert proc.stdout is not None
    if after_lines is None:
        time.sleep(delay)
    elif after_lines == 0:
        journal = Root.at(root)(JOURNAL_DIR) / "journal.json"
        deadline = time.monotonic() + 20
        while not journal.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
    else:
        for _ in range(after_lines):
            proc.stdout.readline()
    proc.send_signal(sig)
    proc.wait(30)
    return proc


KILLS = [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0), (4, 0.0), (5, 0.0)] + [(None, d) for d in (0.2, 0.3, 0.4, 0.5)]


@pytest.mark.parametrize(("sig", "after_lines", "delay"),
                         [(signal.SIGKILL, n, d) for n, d in KILLS]
                         + [(s, n, 0.0) for s in (signal.SIGINT, signal.SIGTERM) for n in (0, 2, 4)],
                         ids=lambda v: getattr(v, "name", str(v)))
def test_an_interrupted_change_ends_before_or_after_never_between(
        tmp_path: Path, references: dict[str, tuple[object, str]], sig: int, after_lines: int | None,
        delay: float) -> None:
    from ovirt_node.core.resources import copy_demo_root

    root = copy_demo_root(tmp_path / "root")
    proc = interrupt(root, sig, after_lines, delay)
    _, err = proc.communicate()
    if sig != signal.SIGKILL and proc.returncode != 0:  # not done before the signal came
        assert proc.returncode == 128 + sig, err
        assert f"interrupted by {signal.Signals(sig).name}" in err
        assert leftovers(root) == []  # rolled back at once, nothing for the next run to do
    shown = run_config("--root", str(root), "show", "--json", check=True)  # the next run repairs
    tree = snapshot(root)
    outcome = next((name for name, (ref, _) in references.items() if ref == tree), None)
    assert outcome is not None, sorted(changed_paths(references["before"][0], tree))  # type: ignore[arg-type]
    assert shown.stdout == references[outcome][1]  # show agrees with the files
    assert leftovers(root) == []
    if sig == signal.SIGKILL and after_lines and outcome == "before":  # killed with files changed
        assert "an interrupted change (Apply configuration, pid" in shown.stderr
        assert "was rolled back first: restored /etc/default/ovirt" in shown.stderr


LINKED = ("etc/ssh/sshd_config", "etc/default/ovirt")


def hard_link(root: Path) -> Path:
    """A second name for each file the change rewrites first (as an image may ship them)."""
    for name in LINKED:
        os.link(root / name, root / f"{name}.hardlink")
    return root


@pytest.fixture(scope="module")
def linked_references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from ovirt_node.core.resources import copy_demo_root

    refs = {}
    for name in ("before", "after"):
        root = hard_link(copy_demo_root(tmp_path_factory.mktemp(f"linked-{name}") / "root"))
        if name == "after":
            run_config("--root", str(root), "set", *CHANGE, check=True)
        refs[name] = snapshot(root)
    return refs


@pytest.mark.parametrize(("after_lines", "delay"), [(0, 0.0), (1, 0.0), (2, 0.0), (3, 0.0), (None, 0.3)],
                         ids=str)
def test_a_killed_change_leaves_hard_linked_names_together(
        tmp_path: Path, linked_references: dict[str, object], after_lines: int | None, delay: float) -> None:
    """The hard-linked files are written in place (inode.py): after the kill and the next run's
    repair every name holds the same bytes, all before or all after."""
    from ovirt_node.core.resources import copy_demo_root

    root = hard_link(copy_demo_root(tmp_path / "root"))
    interrupt(root, signal.SIGKILL, after_lines, delay).communicate()
    run_config("--root", str(root), "show", check=True)  # the next run repairs
    tree = snapshot(root)
    assert tree in linked_references.values(), sorted(changed_paths(linked_references["before"], tree))  # type: ignore[arg-type]
    for name in LINKED:
        st, other = (root / name).stat(), (root / f"{name}.hardlink").stat()
        assert st.st_nlink == 2 and st.st_ino == other.st_ino
    assert leftovers(root) == []
