"""Kdump end to end: the real `ovirt-node-config` on copied node trees of both platform
families, golden files, kdump-config reading the Debian file, the SSH key fetched over
file:// and a local HTTP server, and the kdump unit restarted (or failing) on a private bus."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.areas.kdump import service_log
from ovirt_node.core.context import Context
from ovirt_node.core.root import HOST, Root
from ovirt_node.core.run import Result, Runner
from ovirt_node.core.steps import wants_link
from tests.dbus_env import SYSTEMD_MANAGER, MockService, systemd_job_code
from tests.integration.el_node import assert_golden, make_el_root
from tests.integration.kdump_conf_rules import directives, kdumpctl_errors
from tests.node_fixtures import changed_paths, run_config, snapshot

DEBIAN_FILE = "etc/default/kdump-tools"
EL_FILE = "etc/kdump.conf"
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"

MODES = {
    "local": ["kdump.mode=local"],
    "nfs": ["kdump.mode=nfs", "kdump.nfs_location=nfs.example.com:/exports/crash"],
    "ssh": ["kdump.mode=ssh", "kdump.ssh_location=kdump@dump.example.com"],
    "disabled": ["kdump.mode=disabled"],
}


def show(root: Path, prefix: str = "kdump") -> dict[str, str]:
    out = run_config("--root", str(root), "show", "--json", prefix, check=True)
    return {k: v["value"] for k, v in json.loads(out.stdout).items()}


@pytest.fixture
def el_root(node_root: Path) -> Path:
    return make_el_root(node_root)


# -- each mode, both platforms: files, golden copies, read back in a fresh process ----------------

@pytest.mark.parametrize("mode", ["nfs", "ssh", "disabled", "local"])
def test_debian_modes_write_kdump_tools_and_read_back(node_root: Path, mode: str) -> None:
    # The demo node dumps locally to /data/core; go somewhere else first so local is a change.
    if mode == "local":
        run_config("--root", str(node_root), "set", *MODES["nfs"], check=True)
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", *MODES[mode])
    assert result.returncode == 0, result.stderr
    link = {"/etc/systemd/system/basic.target.wants/kdump-tools.service"} if mode == "disabled" else set()
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", "/" + DEBIAN_FILE, *link}
    assert_golden(node_root / DEBIAN_FILE, f"debian/kdump-tools.{mode}")
    shown = show(node_root)
    for change in MODES[mode]:
        key, value = change.split("=", 1)
        assert shown[key] == value
    if mode == "local":
        assert shown["kdump.local_path"] == "/data/core"


@pytest.mark.parametrize("mode", ["local", "nfs", "ssh", "disabled"])
def test_el_modes_write_kdump_conf_through_the_kdump_lens(el_root: Path, mode: str) -> None:
    before = snapshot(el_root)
    # The stock file dumps locally to /var/crash: local to the Data volume changes the path.
    changes = [*MODES[mode], "kdump.local_path=/data/core"] if mode == "local" else MODES[mode]
    run_config("--root", str(el_root), "set", *changes, check=True)
    link = {"/etc/systemd/system/multi-user.target.wants/kdump.service"} if mode == "disabled" else set()
    assert changed_paths(before, snapshot(el_root)) == {"/etc/default/ovirt", "/" + EL_FILE, *link}
    assert not (el_root / DEBIAN_FILE).exists()
    assert_golden(el_root / EL_FILE, f"el/kdump.conf.{mode}")
    assert kdumpctl_errors(directives(el_root)) == []
    shown = show(el_root)
    assert shown["kdump.mode"] == mode
    if mode == "local":
        assert shown["kdump.local_path"] == "/data/core"


@pytest.mark.parametrize(("text", "complaint"), [
    ("nfs a.example.com:/crash\nssh root@b.example.com\ncore_collector makedumpfile -F -l\n",
     "More than one dump targets specified"),
    ("path /var/crash\nsshkey /root/.ssh/kdump_id_rsa\ncore_collector makedumpfile -l\n",
     "sshkey is only used with an ssh target"),
    ("ssh root@b.example.com\ncore_collector makedumpfile -l -d 31\n", 'needs makedumpfile "-F" option'),
    ("nfs a.example.com:/crash\n", "core_collector (makedumpfile) is missing"),
    ("net root@b.example.com\ncore_collector makedumpfile -F -l\n", "Deprecated kdump config option: net"),
    ("path /a\npath /b\ncore_collector makedumpfile -l\n", "Duplicated kdump config value of option path"),
    ("nfs a.example.com\ncore_collector makedumpfile -l\n", "nfs target must be host:/path"),
])
def test_the_kdumpctl_rules_catch_what_kdumpctl_refuses(el_root: Path, text: str, complaint: str) -> None:
    """The check of the written files can fail: files kdumpctl would refuse to start with."""
    (el_root / EL_FILE).write_text(text)
    assert any(complaint in error for error in kdumpctl_errors(directives(el_root)))


def test_el_stock_file_reads_as_local_to_var_crash(el_root: Path) -> None:
    assert kdumpctl_errors(directives(el_root)) == []
    shown = show(el_root)
    assert (shown["kdump.mode"], shown["kdump.local_path"]) == ("local", "/var/crash")


def test_changing_only_a_remembered_location_leaves_the_kdump_file_alone(node_root: Path) -> None:
    before = snapshot(node_root)
    run_config("--root", str(node_root), "set", "kdump.nfs_location=nfs.example.com:/later", check=True)
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt"}
    assert show(node_root)["kdump.mode"] == "local"


needs_kdump_config = pytest.mark.skipif(
    shutil.which("kdump-config") is None or shutil.which("unshare") is None or os.geteuid() != 0,
    reason="needs kdump-tools (kdump-config), unshare and root",
)

# kdump-config reads /etc/default/kdump-tools and nothing else: mount the generated file there
# in a private mount namespace, with a tmpfs on /var (it creates its dump directory).
_KDUMP_CONFIG_SHOW = (
    "import subprocess, sys\n"
    "subprocess.run(['mount', '--bind', sys.argv[1], '/etc/default/kdump-tools'], check=True)\n"
    "subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', '/var'], check=True)\n"
    "sys.exit(subprocess.run(['kdump-config', 'show']).returncode)\n"
)


@needs_kdump_config
@pytest.mark.parametrize(("changes", "expected"), [
    (["kdump.mode=local", "kdump.local_path=/var/dumps/node"],
     ["USE_KDUMP:\t\t1", "KDUMP_COREDIR:\t\t/var/dumps/node"]),
    (MODES["nfs"], ["NFS:              nfs.example.com:/exports/crash", "KDUMP_COREDIR:\t\t/var/crash"]),
    (MODES["ssh"], ["SSH:              kdump@dump.example.com", "SSH_KEY:          /root/.ssh/kdump_id_rsa"]),
    (MODES["disabled"], ["USE_KDUMP:\t\t0"]),
])
def test_kdump_config_reads_the_generated_file(node_root: Path, changes: list[str], expected: list[str]) -> None:
    run_config("--root", str(node_root), "set", *changes, check=True)
    check = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", _KDUMP_CONFIG_SHOW,
                            str(node_root / DEBIAN_FILE)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    for line in expected:
        assert line in check.stdout, check.stdout


def test_dry_run_shows_the_key_fetch_and_the_restart(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "--dry-run", *MODES["ssh"],
                        "kdump.ssh_key=https://keys.example.com/kdump_id_rsa")
    assert result.returncode == 0, result.stderr
    assert ("Fetch the SSH key for kdump: https://keys.example.com/kdump_id_rsa -> /root/.ssh/kdump_id_rsa"
            in result.stdout)
    assert ("Restart kdump-tools.service (reloads the crash kernel, checks the dump location)  [skipped: root prefix"
            in result.stdout)
    assert snapshot(node_root) == before


# -- bad input: exit 2, the key and the rule named, nothing written ------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    (["kdump.mode=nfs", "kdump.nfs_location=host"], "invalid kdump.nfs_location: must be an NFS export"),
    (["kdump.mode=nfs", "kdump.nfs_location=host:path"], "invalid kdump.nfs_location: must be an NFS export"),
    (["kdump.mode=nfs", "kdump.nfs_location=host/path"], "invalid kdump.nfs_location: must be an NFS export"),
    (["kdump.mode=ssh", "kdump.ssh_location=host"], "invalid kdump.ssh_location: must be an SSH address"),
    (["kdump.mode=ssh", "kdump.ssh_location=@host"], "invalid kdump.ssh_location: must be an SSH address"),
    (["kdump.mode=nfs"], "invalid kdump.nfs_location: must be given for NFS dumps"),
    (["kdump.mode=ssh"], "invalid kdump.ssh_location: must be given for SSH dumps"),
    (["kdump.mode=usb"], "invalid kdump.mode: must be one of: disabled, local, nfs, ssh"),
    (["kdump.local_path=data/core"], "invalid kdump.local_path: must be an absolute directory path"),
    (["kdump.ssh_key=ftp://example.com/key"], "invalid kdump.ssh_key: must be a URL"),
])
def test_bad_input_is_refused_and_nothing_written(node_root: Path, changes: list[str], message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", *changes)
    assert result.returncode == 2
    assert message in result.stderr
    assert snapshot(node_root) == before


# -- kernel arguments ------------------------------------------------------------------------------

def test_kernel_arguments_set_the_mode(node_root: Path, tmp_path: Path, key_server: str) -> None:
    args = tmp_path / "cmdline"
    args.write_text(f"kdump_ssh=root@dump.example.com kdump_ssh_key={key_server}/kdump_id_rsa\n")
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    shown = show(node_root)
    assert (shown["kdump.mode"], shown["kdump.ssh_location"], shown["kdump.ssh_key"]) == (
        "ssh", "root@dump.example.com", f"{key_server}/kdump_id_rsa")
    assert (node_root / "root/.ssh/kdump_id_rsa").read_text() == KEY

    run_config("--root", str(node_root), "cmdline", "kdump_nfs=nfs.example.com:/crash", check=True)
    assert (show(node_root)["kdump.mode"], show(node_root)["kdump.nfs_location"]) == ("nfs", "nfs.example.com:/crash")
    run_config("--root", str(node_root), "cmdline", "disable_kdump", check=True)
    assert show(node_root)["kdump.mode"] == "disabled"
    assert "USE_KDUMP=0" in (node_root / DEBIAN_FILE).read_text()


def test_kernel_arguments_with_bad_values_are_skipped(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "kdump_nfs=host", "kdump_ssh=host", "kdump_nfs",
                        "disable_kdump=maybe", "kdump_ssh_key=gopher://x")
    assert result.returncode == 0, result.stderr
    assert "skipped: kdump_nfs=host: kdump.nfs_location: must be an NFS export" in result.stdout
    assert "skipped: kdump_ssh=host: kdump.ssh_location: must be an SSH address" in result.stdout
    assert "skipped: kdump_nfs: kdump.nfs_location: must be given for NFS dumps" in result.stdout
    assert "skipped: disable_kdump=maybe: not understood; write disable_kdump or" in result.stdout
    assert "skipped: kdump_ssh_key=gopher://x: kdump.ssh_key" in result.stdout
    assert snapshot(node_root) == before


def test_disable_kdump_no_changes_nothing(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline", "disable_kdump=no")
    assert result.returncode == 0 and "No settings in the kernel arguments." in result.stdout


# -- over a private D-Bus: the key fetched, the unit restarted, a failure rolled back -----------

@pytest.fixture
def kdump_unit(systemd_mock: MockService) -> MockService:
    systemd_mock.mock.AddMockUnit("kdump-tools.service")
    systemd_mock.mock.AddMockUnit("kdump.service")
    return systemd_mock


def calls(service: MockService) -> list[tuple[str, list[str]]]:
    return [(str(name), [str(a) for a in args]) for _t, name, args in service.mock.GetCalls()]


@pytest.fixture
def key_server(tmp_path: Path) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 serving tmp_path/www; yields its base URL."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "kdump_id_rsa").write_text(KEY)
    (www / "kdump_id_rsa.pub").write_text("ssh-ed25519 AAAAC3Nza not-a-private-key\n")

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(www), **kwargs)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_ssh_key_from_http_then_restart(node_root: Path, kdump_unit: MockService, key_server: str) -> None:
    result = run_config("--root", str(node_root), "--bus", kdump_unit.address, "set", *MODES["ssh"],
                        f"kdump.ssh_key={key_server}/kdump_id_rsa")
    assert result.returncode == 0, result.stderr
    assert "Fetch the SSH key for kdump: done" in result.stdout
    assert "Restart kdump-tools.service (reloads the crash kernel, checks the dump location): done" in result.stdout
    key = node_root / "root/.ssh/kdump_id_rsa"
    assert key.read_text() == KEY
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert 'SSH_KEY="/root/.ssh/kdump_id_rsa"' in (node_root / DEBIAN_FILE).read_text()
    assert ("RestartUnit", ["kdump-tools.service", "replace"]) in calls(kdump_unit)
    assert KEY.splitlines()[1] not in result.stdout + result.stderr + (node_root / "etc/default/ovirt").read_text()


def test_ssh_key_from_a_file_url_on_el(el_root: Path, kdump_unit: MockService, tmp_path: Path) -> None:
    source = tmp_path / "media/kdump_id_rsa"
    source.parent.mkdir()
    source.write_text(KEY)
    result = run_config("--root", str(el_root), "--bus", kdump_unit.address, "set", *MODES["ssh"],
                        f"kdump.ssh_key=file://{source}")
    assert result.returncode == 0, result.stderr
    assert (el_root / "root/.ssh/kdump_id_rsa").read_text() == KEY
    assert_golden(el_root / EL_FILE, "el/kdump.conf.ssh-key")
    assert kdumpctl_errors(directives(el_root)) == []
    assert ("RestartUnit", ["kdump.service", "replace"]) in calls(kdump_unit)


def test_a_public_key_url_is_refused_and_rolled_back(node_root: Path, kdump_unit: MockService,
                                                     key_server: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "--bus", kdump_unit.address, "set", *MODES["ssh"],
                        f"kdump.ssh_key={key_server}/kdump_id_rsa.pub")
    assert result.returncode == 3
    assert "does not hold an SSH private key" in result.stderr and "rolled back" in result.stderr
    assert snapshot(node_root) == before
    assert not any(name == "RestartUnit" for name, _ in calls(kdump_unit))


def test_unreachable_location_restores_the_file_and_says_why(node_root: Path, kdump_unit: MockService) -> None:
    kdump_unit.mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o",
                              systemd_job_code(result="failed", active_state="failed"))
    old = (node_root / DEBIAN_FILE).read_bytes()
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "--bus", kdump_unit.address, "set", *MODES["nfs"])
    assert result.returncode == 3
    assert ("dump location unreachable (nfs.example.com:/exports/crash): "
            "restarting kdump-tools.service failed: failed") in result.stderr
    assert "all changes were rolled back" in result.stderr
    assert (node_root / DEBIAN_FILE).read_bytes() == old
    assert snapshot(node_root) == before
    assert show(node_root)["kdump.mode"] == "local"


def boot_link(root: Path, unit: str) -> Path:
    return root / wants_link(Context(root=Root.at(root)), unit).lstrip("/")


@pytest.mark.parametrize("platform", ["debian", "el"])
def test_disabling_stops_and_disables_the_unit_and_a_location_enables_it(
        node_root: Path, kdump_unit: MockService, platform: str) -> None:
    """Off stays off after a reboot: the unit's boot link goes too, not only the running
    service; a mode with a location brings the link back and restarts the service."""
    root, unit = (make_el_root(node_root), "kdump.service") if platform == "el" else (node_root, "kdump-tools.service")
    bus = ("--root", str(root), "--bus", kdump_unit.address)
    link = boot_link(root, unit)
    assert link.is_symlink()
    result = run_config(*bus, "set", "kdump.mode=disabled")
    assert result.returncode == 0, result.stderr
    assert f"Disable {unit} at boot: done" in result.stdout
    assert f"Stop {unit} (unloads the crash kernel; its memory stays reserved until a reboot): done" in result.stdout
    assert not link.exists() and not link.is_symlink()
    assert ("StopUnit", [unit, "replace"]) in calls(kdump_unit)
    assert not any(name == "RestartUnit" for name, _ in calls(kdump_unit))
    result = run_config(*bus, "set", *MODES["ssh"])
    assert result.returncode == 0, result.stderr
    assert f"Enable {unit} at boot: done" in result.stdout
    assert link.is_symlink() and os.readlink(link).endswith(f"/systemd/system/{unit}")
    assert ("RestartUnit", [unit, "replace"]) in calls(kdump_unit)


def test_disabled_under_a_root_prefix_is_off_at_boot_too(node_root: Path) -> None:
    """No systemd to ask (the installer's target, say): the stop is skipped, the link still goes."""
    result = run_config("--root", str(node_root), "set", "kdump.mode=disabled")
    assert result.returncode == 0, result.stderr
    assert "Disable kdump-tools.service at boot: done" in result.stdout
    assert ("Stop kdump-tools.service (unloads the crash kernel; its memory stays reserved until a reboot): skipped"
            in result.stdout)
    assert not boot_link(node_root, "kdump-tools.service").is_symlink()


def test_a_failed_restart_leaves_a_disabled_unit_disabled(node_root: Path, kdump_unit: MockService) -> None:
    run_config("--root", str(node_root), "set", "kdump.mode=disabled", check=True)
    before = snapshot(node_root)
    kdump_unit.mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o", systemd_job_code(result="failed"))
    result = run_config("--root", str(node_root), "--bus", kdump_unit.address, "set", *MODES["nfs"])
    assert result.returncode == 3 and "dump location unreachable" in result.stderr
    assert not boot_link(node_root, "kdump-tools.service").is_symlink()
    assert snapshot(node_root) == before


# -- the service's own words on the running host -----------------------------------------------

class JournalRunner(Runner):
    """Answers every command with `journal` as its output, and remembers the last argv."""

    def __init__(self, journal: str) -> None:
        super().__init__()
        self.journal = journal
        self.argv: list[str] = []

    def __call__(self, argv: Sequence[str], **_kw: Any) -> Result:  # type: ignore[override]
        self.argv = list(argv)
        return Result(tuple(argv), 0, self.journal, "")


def test_service_log_gives_the_last_journal_lines_on_the_host_only(node_root: Path) -> None:
    runner = JournalRunner("kdump: starting\n\nkdump: mount nfs.example.com:/crash failed\nkdump: giving up\n")
    host = Context(root=HOST, runner=runner)
    assert service_log(host, "kdump.service", 1700000000.5, lines=2) == (
        "kdump: mount nfs.example.com:/crash failed / kdump: giving up")
    assert runner.argv[:5] == ["journalctl", "--unit", "kdump.service", "--since", "@1700000000"]
    prefixed = JournalRunner("anything")
    assert service_log(Context(root=Root.at(node_root), runner=prefixed), "kdump.service", 0) == ""
    assert prefixed.argv == []
