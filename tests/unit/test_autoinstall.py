"""The auto-install's control: the mode and run options from the kernel command line, the
break points, the reboot only after success, and what a failure shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.core import cmdline
from ovirt_node.core.context import Context
from ovirt_node.core.platform import load
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Step, StepRun, Transaction
from ovirt_node.installer.devices import LvmDevices
from ovirt_node.installer.image import ImageError, ImageVersion
from ovirt_node.installer.plan import autoinstall, flows
from ovirt_node.installer.session import InstalledNode, Session
from ovirt_node.installer.steps.bootloader import Slot
from ovirt_node.installer.steps.storage import Target


class Record(Step):
    def __init__(self, title: str, seen: list[str], fail: bool = False) -> None:
        self.title, self.seen, self.fail = title, seen, fail

    def apply(self, ctx: Context, run: StepRun) -> None:
        self.seen.append(self.title)
        if self.fail:
            raise OSError("No space left on device")


@pytest.fixture
def session(tmp_path: Path) -> Session:
    return Session(ctx=Context(root=Root.at(tmp_path)), platform=load("debian"), devices=LvmDevices(),
                         target=Target(tmp_path / "work"), log_file=tmp_path / "install.log")


def test_request_modes_and_options() -> None:
    assert autoinstall.read_request(cmdline.parse("storage_init")).mode is None
    assert autoinstall.read_request(cmdline.parse("firstboot")).mode == "reinstall"
    assert autoinstall.read_request(cmdline.parse("upgrade")).mode == "upgrade"
    request = autoinstall.read_request(cmdline.parse("uninstall node.break=pre-reboot reboot_delay=30"))
    assert (request.mode, request.break_at, request.reboot_delay) == ("uninstall", "pre-reboot", 30)


@pytest.mark.parametrize(("args", "message"), [
    ("install upgrade", "conflicting modes on the command line: install, upgrade"),
    ("node.break", "node.break=None: expected one of"),
    ("node.break=pre-install", "node.break=pre-install: expected one of"),
    ("reboot_delay=-5", "reboot_delay=-5: expected a number of seconds"),
])
def test_bad_run_options_are_refused(args: str, message: str) -> None:
    with pytest.raises(autoinstall.InstallRefused, match=message):
        autoinstall.read_request(cmdline.parse(args))


def test_success_reboots_after_the_delay(session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    reboots: list[str] = []
    tx = Transaction("Install oVirt Node 4.0.1-1", [Record("storage", seen), Record("image", seen)])
    request = autoinstall.read_request(cmdline.parse("reboot_delay=1"))
    assert autoinstall.run(tx, session, request, lambda _e: None, lambda: reboots.append("reboot")) == 0
    assert seen == ["storage", "image"] and reboots == ["reboot"]
    assert "Rebooting in 1 s." in capsys.readouterr().out


def test_failure_shows_the_step_and_the_log_and_does_not_reboot(
        session: Session, capsys: pytest.CaptureFixture[str]) -> None:
    seen: list[str] = []
    reboots: list[str] = []
    tx = Transaction("Install oVirt Node 4.0.1-1",
                     [Record("Partition the disks", seen), Record("Copy the image", seen, fail=True),
                      Record("Write the boot menu", seen)])
    request = autoinstall.read_request(cmdline.parse(""))
    assert autoinstall.run(tx, session, request, lambda _e: None, lambda: reboots.append("reboot")) == 1
    out = capsys.readouterr().out
    assert "FAILED at: Copy the image" in out and "No space left on device" in out
    assert f"The log is kept at {session.log_file}" in out and "not rebooted" in out
    assert seen == ["Partition the disks", "Copy the image"] and reboots == []


def test_node_break_starts_a_shell_at_its_stage(session: Session, tmp_path: Path) -> None:
    """The real /bin/sh is started; the test is the operator typing into it."""
    marker = tmp_path / "shell-ran"
    script = (
        "import sys, types\n"
        "from ovirt_node.core.context import Context\n"
        "from ovirt_node.core.transaction import Transaction\n"
        "from ovirt_node.installer.plan import autoinstall\n"
        "from ovirt_node.core import cmdline\n"
        "from ovirt_node.core.root import Root\n"
        "session = types.SimpleNamespace(ctx=Context(root=Root.at(sys.argv[1])), log_file=None)\n"
        "request = autoinstall.read_request(cmdline.parse('node.break=post-installer'))\n"
        "sys.exit(autoinstall.run(Transaction('t', []), session, request, print, None))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path)], input=f"touch {marker}\nexit\n",
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "node.break=post-installer: starting a shell" in result.stdout and marker.exists()


def test_rollback_needs_an_image_in_the_other_slot(session: Session) -> None:
    node = InstalledNode("/dev/vda2", Slot("Root", ImageVersion("oVirt Node", "4.0.1", "1")), None)
    with pytest.raises(ImageError, match="nothing to roll back to: RootBackup holds no image"):
        flows.rollback(session, node)


def test_upgrade_cli_refuses_without_an_installed_node(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "ovirt_node.cli.upgrade", "--rollback"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "this machine has no installed node" in result.stderr


@pytest.mark.parametrize(("installed", "media", "expected"), [
    ("4.0.1", "4.0.2", "Upgrade"),
    ("4.0.2", "4.0.2", "same as or newer than the media's oVirt Node 4.0.2-1: say reinstall"),
    ("4.0.3", "4.0.2", "same as or newer"),
    ("3.6.0", "4.0.2", "differ in major version"),
])
def test_mode_from_the_disks_never_wipes_unasked(session: Session, installed: str, media: str,
                                                  expected: str) -> None:
    from ovirt_node.installer.image import NodeImage
    from ovirt_node.system.machine.model import Machine, VolumeGroup

    machine = Machine(name="m", nics=(), disks=(), memory_bytes=1 << 33, firmware="bios", cpu_model="x", cpus=2,
                      virt_hw=True, volume_groups=(VolumeGroup("HostVG", (), ("vda",)),))
    node = InstalledNode("/dev/vda2", Slot("Root", ImageVersion("oVirt Node", installed, "1")), None)
    image = NodeImage(Path("/media"), ImageVersion("oVirt Node", media, "1"), {})
    request = autoinstall.read_request(cmdline.parse(""))
    if expected == "Upgrade":
        plan = autoinstall.build(session, machine, cmdline.parse(""), image, request, node)
        assert plan.transaction.title.startswith("Upgrade") and plan.layout is None
    else:
        with pytest.raises(autoinstall.InstallRefused, match=expected):
            autoinstall.build(session, machine, cmdline.parse(""), image, request, node)


def _dry_run(machine: str, cwd: Path, *line: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ovirt_node.cli.installer", "--dry-run", "--machine", machine,
                           "--image", str(cwd / "no-media"), *(("--cmdline", line[0]) if line else ())],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


def test_dry_run_names_the_unknown_version_and_only_claims_a_node_where_there_is_one(tmp_path: Path) -> None:
    demo = _dry_run("demo", tmp_path)
    assert demo.returncode == 2 and "a node is installed" not in demo.stderr
    assert "no node is installed (no HostVG), and the media's version could not be read here: say install" \
        in demo.stderr
    many = _dry_run("many-nics-many-disks", tmp_path)
    assert many.returncode == 2
    assert ("a node is installed (HostVG), and the installed node's and the media's versions could not be read "
            "here: say upgrade, reinstall or uninstall") in many.stderr
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_the_many_disks_profile_holds_the_previous_install_its_comment_promises() -> None:
    from ovirt_node.system.machine.profile import load_profile, profile_path

    machine = load_profile(profile_path("many-nics-many-disks"))
    assert autoinstall.has_node(machine) and autoinstall.node_disks(machine) == ["sda"]


def test_dry_run_upgrade_shows_placeholders_unquoted_and_real_words_quoted(tmp_path: Path) -> None:
    upgrade = _dry_run("many-nics-many-disks", tmp_path, "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    assert "      mount <the HostVG disk's EFI partition> /run/ovirt-node/installer/esp\n" in upgrade.stdout
    assert "'\"'\"'" not in upgrade.stdout
    assert flows.shown_command(["echo", "a b", "<x y>"]) == "echo 'a b' <x y>"
