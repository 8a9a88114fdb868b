"""The boot services around the decision, on a node tree with a recording runner: which disks
they touch for each kind of boot, the plan and console files they leave in /run, kernel
arguments applied on first boot (real config engine on the demo tree), and the console
programs."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.boot import early as boot
from ovirt_node.boot.decision import Mode
from ovirt_node.core.resources import copy_demo_root
from ovirt_node.core.root import Root
from ovirt_node.core.run import Result, Runner
from tests.integration.el_node import make_el_root
from tests.node_fixtures import changed_paths, node_root, snapshot  # noqa: F401  (fixture)

MEDIA = "root=live:CDLABEL=OVIRT_NODE rd.live.image console=tty0 console=ttyS0,115200n8"
DISK = "root=live:/dev/mapper/HostVG-Root rd.lvm.lv=HostVG/Root rd.live.image ro console=ttyS0,115200n8"


def tree(tmp_path: Path, cmdline: str, hostvg: bool = False, configured: bool = False) -> Root:
    (tmp_path / "proc").mkdir(exist_ok=True)
    (tmp_path / "proc" / "cmdline").write_text(cmdline + "\n")
    if hostvg:
        (tmp_path / "dev" / "mapper").mkdir(parents=True)
        (tmp_path / "dev" / "mapper" / "HostVG-Config").write_text("")
        (tmp_path / "config").mkdir(exist_ok=True)
    if configured:
        (tmp_path / "config" / "etc" / "default").mkdir(parents=True)
        (tmp_path / "config" / "etc" / "default" / "ovirt").write_text("OVIRT_HOSTNAME=n1\n")
    return Root.at(tmp_path)


class NoSystemctl(Runner):
    """Runs what the config engine runs, records systemctl without running it."""

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> Result:
        if argv[0] == "systemctl":
            self.calls.append(tuple(argv))
            return Result(tuple(argv), 0, "", "")
        return super().__call__(argv, **kwargs)


def commands(runner: Runner) -> list[str]:
    """What the runner ran, but for the SSH host keys (made on every kind of boot)."""
    return [" ".join(call) for call in runner.calls if call[0] != "ssh-keygen"]


def test_media_boot_touches_no_disk_and_puts_the_installer_on_the_main_console(tmp_path: Path) -> None:
    root = tree(tmp_path, MEDIA + " storage_init=/dev/vda")
    runner = Runner(dry_run=True)
    plan = boot.early(root, runner)
    assert plan.mode is Mode.AUTO_INSTALL
    assert commands(runner) == []
    assert (tmp_path / "run/ovirt-node/console/ttyS0").read_text() == "auto-install\n"
    assert boot.read_plan(root) == plan
    argv, env = boot.console_program(root, "ttyS0")
    assert argv == ["ovirt-node-installer", "--auto"] and env["TERM"] == "vt220"


def test_disk_boot_configured_mounts_config_restores_and_mounts_fstab(tmp_path: Path) -> None:
    root = tree(tmp_path, DISK, hostvg=True, configured=True)
    runner = Runner(dry_run=True)
    plan = boot.early(root, runner)
    assert plan.mode is Mode.NORMAL
    assert commands(runner) == [
        "vgchange --activate y HostVG",
        f"mount -o noatime {tmp_path}/dev/mapper/HostVG-Config {tmp_path}/config",
        "mount --all",
        "swapon --all",
    ]
    assert list((tmp_path / "run/ovirt-node/console").iterdir()) == []


def test_disk_boot_not_configured_runs_the_setup_tui(tmp_path: Path) -> None:
    root = tree(tmp_path, DISK, hostvg=True)
    plan = boot.early(root, Runner(dry_run=True))
    assert plan.mode is Mode.FIRSTBOOT and plan.apply_kernel_args
    assert sorted(p.name for p in (tmp_path / "run/ovirt-node/console").iterdir()) == ["tty1", "ttyS0"]
    argv, env = boot.console_program(root, "tty1")
    assert argv == ["ovirt-node-setup"] and env["TERM"] == "linux"


def test_disk_boot_without_hostvg_mounts_nothing(tmp_path: Path) -> None:
    runner = Runner(dry_run=True)
    plan = boot.early(tree(tmp_path, DISK), runner)
    assert plan.mode is Mode.FIRSTBOOT and not plan.mount_config
    assert commands(runner) == ["vgchange --activate y HostVG"]


def test_stateless_never_looks_at_disks(tmp_path: Path) -> None:
    runner = Runner(dry_run=True)
    plan = boot.early(tree(tmp_path, DISK + " stateless", hostvg=True, configured=True), runner)
    assert plan.mode is Mode.STATELESS and commands(runner) == []


def test_ssh_host_keys_are_made_when_the_node_has_none(tmp_path: Path) -> None:
    root = tree(tmp_path, MEDIA)
    (tmp_path / "etc" / "ssh").mkdir(parents=True)
    boot.early(root, Runner())
    made = sorted(p.name for p in (tmp_path / "etc" / "ssh").glob("ssh_host_*_key"))
    assert "ssh_host_ed25519_key" in made and "ssh_host_rsa_key" in made
    runner = Runner(dry_run=True)
    boot.early(root, runner)  # kept: never made again
    assert not [c for c in runner.calls if c[0] == "ssh-keygen"]


def test_late_applies_kernel_arguments_on_first_boot_and_starts_the_consoles(node_root: Path) -> None:  # noqa: F811
    root = tree(node_root, DISK + " ssh_pwauth=1")
    boot.early(root, Runner(dry_run=True))
    before = snapshot(node_root)
    runner = NoSystemctl()
    result = boot.late(root, runner)
    assert result.plan.mode is Mode.FIRSTBOOT and result.failures == ()
    changed = changed_paths(before, snapshot(node_root))
    assert "/etc/ssh/sshd_config" in changed and "/etc/default/ovirt" in changed
    assert "PasswordAuthentication yes" in (node_root / "etc/ssh/sshd_config").read_text()
    assert [list(c) for c in runner.calls if c[0] == "systemctl"] == [
        ["systemctl", "--no-block", "start", "ovirt-node-console@tty1.service"],
        ["systemctl", "--no-block", "start", "ovirt-node-console@ttyS0.service"],
    ]


def test_late_on_a_configured_node_leaves_the_configuration_alone(node_root: Path) -> None:  # noqa: F811
    root = tree(node_root, DISK + " ssh_pwauth=1", hostvg=True, configured=True)
    boot.early(root, Runner(dry_run=True))
    before = snapshot(node_root)
    boot.late(root, Runner(dry_run=True))
    assert changed_paths(before, snapshot(node_root)) == set()


def test_console_done_brings_the_login_back(tmp_path: Path) -> None:
    root = tree(tmp_path, DISK, hostvg=True)
    boot.early(root, Runner(dry_run=True))
    runner = Runner(dry_run=True)
    boot.console_done(root, "ttyS0", runner)
    boot.console_done(root, "tty1", runner)
    assert not list((tmp_path / "run/ovirt-node/console").iterdir())
    assert commands(runner) == ["systemctl --no-block start serial-getty@ttyS0.service",
                                "systemctl --no-block start getty@tty1.service"]


def test_a_terminal_without_a_size_gets_the_serial_default() -> None:
    leader, follower = pty.openpty()
    try:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 0, 0, 0, 0))
        assert boot.ensure_size(follower)
        assert struct.unpack("HHHH", fcntl.ioctl(follower, termios.TIOCGWINSZ, bytes(8)))[:2] == (24, 80)
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 132, 0, 0))
        assert not boot.ensure_size(follower)  # a real size is kept
    finally:
        os.close(leader)
        os.close(follower)


def test_late_applies_each_area_alone_and_reports_the_one_that_failed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No collectd config on this EL node: monitoring is rolled back and reported, SSH applies."""
    node = make_el_root(copy_demo_root(tmp_path / "root"))
    (node / "etc/collectd.conf").unlink()  # the EL root has CentOS's; this node has no collectd
    root = tree(node, DISK + " collectd=mon.example.com ssh_pwauth=1")
    boot.early(root, Runner(dry_run=True))
    result = boot.late(root, NoSystemctl())
    out = capsys.readouterr().out
    assert [f.split(":", 2)[1].strip() for f in result.failures] == ["failed"]
    assert "ovirt-node: kernel arguments: applied: ssh (ssh.pwauth)\n" in out
    assert ("ovirt-node: kernel arguments: failed: monitoring (monitoring.collectd.server): Configure collectd's "
            "network plugin failed: /etc/collectd.conf does not exist: is collectd installed?") in out
    assert "PasswordAuthentication yes" in (node / "etc/ssh/sshd_config").read_text()
    assert not (node / "etc/collectd.conf").exists()
    assert "OVIRT_COLLECTD_SERVER" not in (node / "etc/default/ovirt").read_text()


def test_late_exits_3_when_an_area_failed_and_still_starts_the_consoles(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`ovirt-node-boot late` as ovirt-node-boot.service runs it: a kernel argument whose area
    cannot apply makes the unit fail (exit 3), after the other areas and the consoles."""
    from ovirt_node.cli import boot as boot_cli

    node = make_el_root(copy_demo_root(tmp_path / "root"))
    (node / "etc/collectd.conf").unlink()
    root = tree(node, DISK + " collectd=mon.example.com ssh_pwauth=1")
    boot.early(root, Runner(dry_run=True))
    runner = NoSystemctl()
    monkeypatch.setattr(boot_cli, "Runner", lambda: runner)
    assert boot_cli.main(["--root", str(node), "late"]) == 3
    assert "failed: monitoring" in capsys.readouterr().out
    assert ("systemctl", "--no-block", "start", "ovirt-node-console@ttyS0.service") in runner.calls
    (node / "etc/collectd.conf").write_text("")  # with collectd there, the same boot succeeds
    assert boot_cli.main(["--root", str(node), "late"]) == 0


def test_the_images_log_folders_are_made_on_the_logging_volume(tmp_path: Path) -> None:
    """The Logging volume mounted over /var/log hides the image's folders: they are made
    again with the image's mode and owner; what the volume has stays as it is."""
    image_log = tmp_path / "run/initramfs/squashfs/var/log"
    (image_log / "libvirt/qemu").mkdir(parents=True)
    (image_log / "libvirt/qemu").chmod(0o700)
    (image_log / "chrony").mkdir()
    os.chown(image_log / "chrony", 4242, 4343)
    (image_log / "journal").mkdir()
    volume = tmp_path / "var/log"
    (volume / "journal").mkdir(parents=True)
    (volume / "journal" / "kept").write_text("")
    made = boot.log_folders(Root.at(tmp_path))
    assert made == ["/var/log/chrony", "/var/log/libvirt", "/var/log/libvirt/qemu"]
    assert (volume / "libvirt/qemu").stat().st_mode & 0o777 == 0o700
    assert ((volume / "chrony").stat().st_uid, (volume / "chrony").stat().st_gid) == (4242, 4343)
    assert (volume / "journal" / "kept").exists()
    assert boot.log_folders(Root.at(tmp_path)) == []  # the next boot: nothing to make


def test_the_restored_host_name_is_the_nodes(tmp_path: Path) -> None:
    """The name early boot gives the kernel once /config is back (systemd gave it the image's)."""
    root = Root.at(tmp_path)
    assert boot.node_hostname(root) is None  # no /etc/hostname
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/hostname").write_text("localhost\n")
    assert boot.node_hostname(root) is None  # the image's own: nothing to set
    (tmp_path / "etc/hostname").write_text("node1.example.com\n")
    assert boot.node_hostname(root) == "node1.example.com"

