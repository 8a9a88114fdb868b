"""The trial boot: grub.cfg's script (grub's own grub-script-check), the grubenv it reads and
writes through the real grub-editenv (start, grub's countdown, commit, clear), and
`ovirt-node-boot health` on a node tree with real check executables: commit, reboot on a
failed required check, fallback bookkeeping; what Status and `ovirt-node-upgrade --status`
show. grub's own run of the script is in tests/vm/test_trial_boot.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.boot import checks
from ovirt_node.boot.health import decide, discover, health, trial_deadline
from ovirt_node.core.bootstate import NETWORK_FILE, STATE_FILE, read_state
from ovirt_node.core.platform import load
from ovirt_node.core.root import Root
from ovirt_node.core.run import Result, Runner
from ovirt_node.installer.image import ImageError, ImageVersion
from ovirt_node.installer.plan import flows
from ovirt_node.installer.session import InstalledNode
from ovirt_node.installer.steps.bootloader import Slot, boot_args_from_config, grub_config
from ovirt_node.installer.steps.trial import (
    Pending,
    commit_command,
    grubenv_path,
    read_grubenv,
    start_trial_command,
)
from ovirt_node.report.status import boot_health
from tests.report_listener import report_listener

DEBIAN = load("debian")
NEW = Slot("RootBackup", ImageVersion("oVirt Node", "4.2.0", "1"))
OLD = Slot("Root", ImageVersion("oVirt Node", "4.1.0", "1"))
DISK = "root=live:/dev/mapper/HostVG-{lv} rd.lvm.lv=HostVG/{lv} rd.live.image ro console=ttyS0"
FAIL = "#!/bin/sh\necho 'libvirt: no answer'\nexit 1\n"
PASS = "#!/bin/sh\necho fine\n"


class NoReboot(Runner):
    """The real runner, except that a reboot (which must not reach the test host) is recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.reboots = 0

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> Result:  # type: ignore[override]
        if list(argv) == ["systemctl", "reboot"]:
            self.reboots += 1
            return Result(list(argv), 0, "", "")
        return super().__call__(argv, **kwargs)


def editenv(*args: str) -> None:
    assert shutil.which("grub-editenv"), "grub-common is not installed (make test installs it)"
    subprocess.run(["grub-editenv", *args], check=True)


@pytest.fixture
def node(tmp_path: Path) -> Root:
    """A node tree: a grubenv on the ESP whose default is Root, /etc/ovirt-node/health.conf with
    no grace (a failed check is not retried), and no checks yet."""
    esp = tmp_path / "boot/efi/grub"
    esp.mkdir(parents=True)
    editenv(str(esp / "grubenv"), "create")
    editenv(str(esp / "grubenv"), "set", "saved_entry=slot-Root")
    (tmp_path / "etc/ovirt-node").mkdir(parents=True)
    (tmp_path / "etc/ovirt-node/health.conf").write_text("grace=0\n")
    (tmp_path / "etc/ovirt-node/version").write_text("NAME=oVirt Node\nVERSION=4.2.0\nRELEASE=1\n")
    (tmp_path / "proc").mkdir()
    (tmp_path / "config").mkdir()
    return Root.at(tmp_path)


def booted(root: Root, lv: str, trial: bool) -> None:
    line = DISK.format(lv=lv) + (" ovirt.trial=1 panic=10" if trial else "")
    root("/proc/cmdline").write_text(line + "\n")


def add_check(root: Root, name: str, text: str, where: str = "/usr/lib/ovirt-node/health.d") -> None:
    path = root(f"{where}/{name}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def start_trial(root: Root) -> None:
    subprocess.run(start_trial_command(DEBIAN, root("/boot/efi"), OLD.entry_id, NEW.entry_id), check=True)


def grub_counts_down(root: Root) -> None:
    """What grub.cfg's save_env does when it starts the trial."""
    editenv(str(grubenv_path(DEBIAN, root("/boot/efi"))), "set", "trial_left=0")


def test_grub_cfg_tries_the_pending_slot_and_falls_back(tmp_path: Path) -> None:
    text = grub_config("oVirt Node", NEW, OLD, ["console=ttyS0"])
    (tmp_path / "grub.cfg").write_text(text)
    checked = subprocess.run(["grub-script-check", str(tmp_path / "grub.cfg")], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert '    if [ "$trial_left" = 3 ]; then' in text and '    elif [ "$trial_left" = 1 ]; then' in text
    assert "      if save_env --file $prefix/grubenv trial_left; then" in text
    assert '        set fallback="$default"\n        set default="$ovirt_trial"' in text
    # Each entry adds the trial's arguments only when it is the trial.
    assert "  if [ \"$ovirt_trial\" = 'slot-RootBackup' ]; then\n    set ovirt_trial_arg=ovirt.trial=1\n" \
           "    set ovirt_panic_arg=panic=10\n  fi" in text
    assert text.count(" $ovirt_trial_arg $ovirt_panic_arg\n") == 2
    # The next upgrade reads the kernel arguments back without grub's variables.
    assert boot_args_from_config(text) == ["console=ttyS0", "crashkernel=1G-4G:256M,4G-64G:384M,64G-:512M"]


def test_the_grubenv_goes_through_a_trial_in_one_block(node: Root) -> None:
    env = grubenv_path(DEBIAN, node("/boot/efi"))
    start_trial(node)
    assert env.stat().st_size == 1024
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-Root", "slot-RootBackup", 1)
    grub_counts_down(node)
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-Root", "slot-RootBackup", 0)
    subprocess.run(commit_command(DEBIAN, node("/boot/efi"), NEW.entry_id), check=True)
    assert env.stat().st_size == 1024
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-RootBackup", None, 0)


def test_a_healthy_trial_commits(node: Root) -> None:
    add_check(node, "10-ok", PASS)
    add_check(node, "90-extra", "#!/bin/sh\n# ovirt-node-health: wanted\necho 'no NTP yet'\nexit 1\n")
    node(NETWORK_FILE).parent.mkdir(parents=True)
    node(NETWORK_FILE).write_text("{}")
    start_trial(node)
    grub_counts_down(node)
    booted(node, "RootBackup", trial=True)
    runner = NoReboot()
    state = health(node, runner, DEBIAN)
    assert runner.reboots == 0
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-RootBackup", None, 0)
    assert state["result"] == "healthy: committed, the default from now on" and state["trial"] is True
    assert [(c["name"], c["required"], c["passed"]) for c in state["checks"]] == [
        ("10-ok", True, True), ("90-extra", False, False)]
    assert not node(NETWORK_FILE).exists()  # the record was for this trial only
    assert boot_health(node) == ("slot RootBackup (4.2.0-1), trial boot: healthy: committed, the default from now on",
                                 "wanted check 90-extra failed: no NTP yet")


def test_a_failed_required_check_reboots_into_the_old_slot_and_the_fallback_says_why(node: Root) -> None:
    add_check(node, "10-ok", PASS)
    add_check(node, "40-libvirtd", FAIL)
    start_trial(node)
    grub_counts_down(node)
    booted(node, "RootBackup", trial=True)
    runner = NoReboot()
    state = health(node, runner, DEBIAN)
    assert runner.reboots == 1
    assert state["result"] == "trial failed (40-libvirtd): rebooting into Root"
    assert state["checks"][1]["log"] == "libvirt: no answer\n(exit 1)"
    # Nothing committed: grub boots saved_entry, the counter is spent.
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-Root", "slot-RootBackup", 0)

    # The old slot comes up: its health clears the trial and keeps the failure on record.
    node("/usr/lib/ovirt-node/health.d/40-libvirtd").write_text(PASS)
    node("/etc/ovirt-node/version").write_text("NAME=oVirt Node\nVERSION=4.1.0\nRELEASE=1\n")
    booted(node, "Root", trial=False)
    state = health(node, runner, DEBIAN)
    assert runner.reboots == 1
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-Root", None, 0)
    assert state["fallback"] is True and state["result"] == "fell back: the trial of RootBackup failed"
    assert state["failed_trial"]["reason"] == "required check(s) failed: 40-libvirtd"
    assert state["failed_trial"]["checks"][0]["log"] == "libvirt: no answer\n(exit 1)"
    assert boot_health(node) == (
        "slot Root (4.1.0-1), fallback after a failed trial: fell back: the trial of RootBackup failed",
        "trial of RootBackup (4.2.0-1) failed: required check(s) failed: 40-libvirtd")
    # The next boot of the same slot still shows why the upgrade did not stay.
    state = health(node, runner, DEBIAN)
    assert state["result"] == "healthy" and state["failed_trial"]["reason"].endswith("40-libvirtd")


def test_a_trial_that_never_reached_its_checks_is_named_on_the_fallback(node: Root) -> None:
    add_check(node, "10-ok", PASS)
    start_trial(node)
    grub_counts_down(node)  # the trial kernel panicked: nothing of it ran
    booted(node, "Root", trial=False)
    state = health(node, NoReboot(), DEBIAN)
    assert state["failed_trial"]["reason"].startswith("it never reached its health checks (a kernel panic")


def test_a_failure_outside_a_trial_is_recorded_but_does_not_reboot(node: Root) -> None:
    add_check(node, "40-libvirtd", FAIL)
    booted(node, "Root", trial=False)
    runner = NoReboot()
    state = health(node, runner, DEBIAN)
    assert runner.reboots == 0 and state["result"] == "unhealthy (40-libvirtd); not a trial boot, so no fallback"
    assert Pending.of(read_grubenv(DEBIAN, node("/boot/efi"))) == Pending("slot-Root", None, 0)


def test_the_deadline_reboots_only_an_undecided_trial(node: Root) -> None:
    runner = NoReboot()
    booted(node, "RootBackup", trial=True)
    assert trial_deadline(node, runner, DEBIAN) is False  # no trial pending (committed already)
    start_trial(node)
    assert trial_deadline(node, runner, DEBIAN) is True and runner.reboots == 1
    assert "did not decide in time" in str(read_state(node)["result"])  # type: ignore[index]


def test_checks_come_from_both_directories_etc_first(node: Root) -> None:
    add_check(node, "10-a", PASS)
    add_check(node, "20-b", PASS)
    add_check(node, "20-b", "#!/bin/sh\n# ovirt-node-health: wanted\nexit 0\n", "/etc/ovirt-node/health.d")
    node("/etc/ovirt-node/health.d/10-a").symlink_to("/dev/null")  # switched off locally
    add_check(node, "30-c", PASS)
    node("/usr/lib/ovirt-node/health.d/30-c").chmod(0o644)  # not executable: skipped
    found = discover(node)
    assert [(c.name, c.required, c.path.startswith(str(node("/etc")))) for c in found] == [("20-b", False, True)]


@pytest.mark.parametrize(("slot", "pending", "failed", "action"), [
    ("Root", Pending("slot-Root", None, 0), [], "none"),
    ("RootBackup", Pending("slot-Root", "slot-RootBackup", 0), [], "commit"),
    ("RootBackup", Pending("slot-Root", "slot-RootBackup", 0), ["x"], "reboot"),
    ("Root", Pending("slot-Root", "slot-RootBackup", 0), ["x"], "clear"),
])
def test_decision(slot: str, pending: Pending, failed: list[str], action: str) -> None:
    assert decide(slot, pending, failed).action == action


@pytest.mark.parametrize(("left", "booted", "undecided"), [
    (1, None, "slot-RootBackup"),  # grub has yet to boot it (from media or the old slot)
    (0, "RootBackup", "slot-RootBackup"),  # it runs now, its checks have not decided
    (0, "Root", None),  # tried, and the old slot runs: it failed (the fallback clears it)
    (0, None, None),  # tried, the power went, booted from media: it failed
])
def test_a_trial_grub_already_tried_is_over_unless_it_runs(left: int, booted: str | None,
                                                           undecided: str | None) -> None:
    assert flows.undecided_trial(Pending("slot-Root", "slot-RootBackup", left), booted) == undecided
    assert flows.undecided_trial(Pending("slot-Root", None, 0), booted) is None


def test_no_second_switch_while_a_trial_is_undecided() -> None:
    node = InstalledNode("/dev/vda2", OLD, NEW, trial="slot-RootBackup")
    with pytest.raises(ImageError, match="a trial boot of RootBackup is pending"):
        flows.rollback(None, node)  # type: ignore[arg-type]  # refused before the session is used


def test_the_network_check_compares_with_what_the_upgrade_recorded(node: Root) -> None:
    runner = Runner()
    seen = checks.record_network(node, runner)
    if seen is None:
        pytest.fail("this host has no default route; the network check needs one to compare")
    assert checks.network(node, runner)[0] is True
    node(NETWORK_FILE).write_text(json.dumps({**seen, "addresses": ["192.0.2.7/24"]}))
    ok, line = checks.network(node, runner)
    assert not ok and line.startswith("management network changed: before") and "192.0.2.7/24" in line


def test_upgrade_status_prints_the_record(node: Root) -> None:
    add_check(node, "40-libvirtd", FAIL)
    booted(node, "Root", trial=False)
    health(node, NoReboot(), DEBIAN)
    text = subprocess.run([sys.executable, "-m", "ovirt_node.cli.upgrade", "--root", str(node.prefix), "--status"],
                          capture_output=True, text=True, check=True).stdout
    assert text.startswith("slot Root (4.2.0-1), boot: unhealthy (40-libvirtd)")
    assert "--- 40-libvirtd log ---\nlibvirt: no answer\n(exit 1)" in text
    as_json = subprocess.run([sys.executable, "-m", "ovirt_node.cli.upgrade", "--root", str(node.prefix), "--status",
                              "--json"], capture_output=True, text=True, check=True).stdout
    assert json.loads(as_json) == read_state(node)
    assert node(STATE_FILE).is_file()


def rendezvous(me: str, other: str, directory: Path) -> str:
    """A check that passes only when `other` runs at the same time: it marks itself, then waits
    (at most 10 s) for the other's mark. Run one after the other, the first one fails."""
    return (f"#!/bin/sh\ntouch {directory}/{me}\nfor i in $(seq 100); do\n"
            f"  [ -e {directory}/{other} ] && {{ echo 'met {other}'; exit 0; }}\n  sleep 0.1\ndone\n"
            f"echo 'alone: {other} did not run alongside'\nexit 1\n")


def test_the_checks_run_at_once(node: Root, tmp_path: Path) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    add_check(node, "10-a", rendezvous("a", "b", marks))
    add_check(node, "20-b", rendezvous("b", "a", marks))
    start_trial(node)
    grub_counts_down(node)
    booted(node, "RootBackup", trial=True)
    state = health(node, NoReboot(), DEBIAN)
    assert [(c["name"], c["passed"], c["log"]) for c in state["checks"]] == [
        ("10-a", True, "met b\n(exit 0)"), ("20-b", True, "met a\n(exit 0)")]
    assert state["result"] == "healthy: committed, the default from now on"


def flaky(counter: Path) -> str:
    """Fails its first run, passes the next ones."""
    return f"#!/bin/sh\nif [ -e {counter} ]; then echo up; exit 0; fi\ntouch {counter}\necho 'not yet'\nexit 1\n"


def test_only_a_trial_retries_a_failing_check_for_its_grace(node: Root, tmp_path: Path) -> None:
    node("/etc/ovirt-node/health.conf").write_text("grace=600\n")
    add_check(node, "40-libvirtd", flaky(tmp_path / "ran"))
    # Not a trial: one try, no wait for the grace (the sleep would fail the test), no reboot.
    booted(node, "Root", trial=False)
    runner = NoReboot()
    state = health(node, runner, DEBIAN, sleep=lambda _: pytest.fail("a boot that is not a trial waited"))
    assert [(c["passed"], c["tries"]) for c in state["checks"]] == [(False, 1)]
    assert state["result"] == "unhealthy (40-libvirtd); not a trial boot, so no fallback" and runner.reboots == 0
    # A trial: tried again (after RETRY s; here at once) until it passes, then committed.
    (tmp_path / "ran").unlink()
    start_trial(node)
    grub_counts_down(node)
    booted(node, "RootBackup", trial=True)
    waits: list[float] = []
    state = health(node, runner, DEBIAN, sleep=waits.append)
    assert [(c["passed"], c["tries"], c["log"]) for c in state["checks"]] == [(True, 2, "up\n(exit 0)")]
    assert waits == [10] and state["result"] == "healthy: committed, the default from now on"


def test_the_verdict_is_a_lifecycle_event(node: Root) -> None:
    add_check(node, "10-ok", PASS)
    add_check(node, "40-libvirtd", FAIL)
    start_trial(node)
    grub_counts_down(node)
    booted(node, "RootBackup", trial=True)
    with report_listener() as listener:
        node("/etc/default").mkdir(parents=True, exist_ok=True)
        node("/etc/default/ovirt").write_text(f'OVIRT_REPORT_URL="{listener.url()}"\n')
        health(node, NoReboot(), DEBIAN)
        failed = listener.wait(lambda e: e["phase"] == "health", 30, "the health event")
        # The fallback boot of the old slot: healthy, and says which trial it fell back from.
        booted(node, "Root", trial=False)
        node("/usr/lib/ovirt-node/health.d/40-libvirtd").write_text(PASS)
        health(node, NoReboot(), DEBIAN)
        ok = listener.wait(lambda e: e["phase"] == "health" and e["result"] == "ok", 30, "the fallback's event")
    assert failed["result"] == "failed"
    assert failed["detail"] == "slot RootBackup (4.2.0-1): trial failed (40-libvirtd): rebooting into Root"
    assert "--- 40-libvirtd ---" in failed["log"] and "libvirt: no answer" in failed["log"]
    assert ok["detail"] == "slot Root (4.2.0-1): fell back: the trial of RootBackup failed"
