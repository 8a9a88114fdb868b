"""Kdump on an installed node, for real: the crash kernel is loaded after boot, `echo c >
/proc/sysrq-trigger` boots it, it saves the dump and reboots into the node, which lists the
dump; then the same crash with SSH as the target, the dump arriving on the host.

The SSH host is a private sshd on the test host's loopback, which the guest reaches as
10.0.2.2 through qemu's user networking; the node gets its private key through the Kdump
settings (`kdump.ssh_key=file://...`) and, as an operator would, the host's key and port in
root's persisted ssh files. kdump-tools writes SSH dumps to /var/crash/<ip>-<time>/ on the
remote side (the layout's REMOTE_PATH); the test removes what it made there. Each phase's
time goes to the artifacts' `timings` file (TCG on two shared cores).
"""

from __future__ import annotations

import base64
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import Installed, boot_disk, root_shell
from tests.vm.node import ARTIFACTS
from tests.vm.qemu import VM, Disk, overlay

pytestmark = pytest.mark.vm

CRASH_TIMEOUT = 900  # the crash kernel's boot, the dump and the reboot (about 2 min measured)
HOST = "10.0.2.2"  # qemu's user networking: the test host's loopback
REMOTE_DIR = Path("/var/crash")
STAMP = r"\d{12}"  # kdump-tools' dump directory name, YYYYMMDDHHMM


@dataclass
class SshTarget:
    port: int
    key: Path  # the private key the node logs in with
    host_key: str  # the sshd's public host key line ("ssh-ed25519 AAAA...")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def ssh_target(tmp_path: Path) -> Iterator[SshTarget]:
    """A private sshd on 127.0.0.1 (root, key only); killed by PID afterwards."""
    sshd = shutil.which("sshd") or "/usr/sbin/sshd"
    assert Path(sshd).exists(), "openssh-server is not installed (make deps)"
    keys = tmp_path / "sshd"
    keys.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"kdump-test-{name}", "-f",
                        str(keys / name)], check=True)
    shutil.copyfile(keys / "client.pub", keys / "authorized_keys")
    port = _free_port()
    config = keys / "sshd_config"
    config.write_text("\n".join([
        f"Port {port}", "ListenAddress 127.0.0.1", f"HostKey {keys / 'host'}",
        f"AuthorizedKeysFile {keys / 'authorized_keys'}", "PermitRootLogin prohibit-password",
        "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
        f"PidFile {keys / 'sshd.pid'}", "Subsystem sftp internal-sftp", ""]))
    Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege separation directory
    proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=subprocess.DEVNULL,
                            stderr=(tmp_path / "sshd.log").open("w"))
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, (tmp_path / "sshd.log").read_text()
                time.sleep(0.2)
        host_key = " ".join((keys / "host.pub").read_text().split()[:2])
        yield SshTarget(port, keys / "client", host_key)
    finally:
        proc.kill()
        proc.wait()


class Timings:
    def __init__(self, artifacts: Path) -> None:
        self.path = artifacts / "timings"
        self.path.write_text("")
        self.start = time.monotonic()

    def mark(self, phase: str) -> None:
        now = time.monotonic()
        with self.path.open("a") as out:
            out.write(f"{phase}: {now - self.start:.0f} s\n")
        self.start = now


def kdump_lines(vm: VM) -> list[str]:
    """The lines kdump-tools printed on the serial console during this guest's run."""
    log = vm.artifacts / f"{vm.guest.name}.ttyS0.log"
    return [line for line in log.read_text(errors="replace").splitlines() if "kdump" in line.lower()]


def assert_no_kdump_failure(vm: VM) -> None:
    failed = [line for line in kdump_lines(vm) if re.search(r"fail|error|invalid|not supported by", line, re.I)]
    assert not failed, "kdump-tools printed a failure:\n" + "\n".join(failed)


def check_loaded(shell: Console) -> None:
    assert shell.check("cat /sys/kernel/kexec_crash_loaded") == "1"
    assert int(shell.check("cat /sys/kernel/kexec_crash_size")) >= 192 << 20
    assert "ready to kdump" in shell.check("kdump-config status")
    assert "kdump state: crash kernel: loaded: a crash saves a dump" in shell.check("ovirt-node-config show kdump")


def crash(vm: VM, shell: Console) -> None:
    """Panic the node; the crash kernel saves the dump and reboots, which ends qemu."""
    shell.sendline("sync; echo c > /proc/sysrq-trigger")
    vm.wait_exit(CRASH_TIMEOUT)


def remote_dumps() -> set[Path]:
    return set(REMOTE_DIR.glob("*-[0-9]*")) if REMOTE_DIR.is_dir() else set()


def test_a_crash_leaves_a_dump_on_the_data_volume_and_on_an_ssh_host(
        installed: Installed, vm_workdir: Path, artifacts: Path, ssh_target: SshTarget) -> None:
    # The install media booted without crashkernel=: kdump-tools is skipped there, not failed.
    media_log = ARTIFACTS / "install" / "autoinstall.ttyS0.log"
    assert media_log.is_file(), f"the shared install left no console log at {media_log}"
    assert not [line for line in media_log.read_text(errors="replace").splitlines() if "kdump" in line.lower()]
    disks = [Disk(overlay(installed.disk, vm_workdir / "kdump.qcow2"), "disk0")]
    timings = Timings(artifacts)

    # 1. After boot the crash kernel is loaded in the memory crashkernel= reserved; a panic
    #    boots it, and it saves the dump on the Data volume and reboots.
    with boot_disk(disks, vm_workdir, artifacts, "kdump-local") as vm:
        shell = root_shell(vm)
        timings.mark("boot")
        assert "crashkernel=1G-4G:256M,4G-64G:384M,64G-:512M" in shell.check("cat /proc/cmdline")
        check_loaded(shell)
        crash(vm, shell)
        timings.mark("local: crash, crash kernel boot, dump, reboot")
        saved = [line for line in kdump_lines(vm) if "saved vmcore in /data/core/" in line]
        assert saved, "\n".join(kdump_lines(vm))
        assert_no_kdump_failure(vm)

    # 2. The node is back: the dump is in /data/core/<time>/ and the Kdump state lists it.
    #    Then off (unloaded, memory still reserved) and SSH (reloaded, no reboot) and a crash.
    before = remote_dumps()
    with boot_disk(disks, vm_workdir, artifacts, "kdump-ssh") as vm:
        shell = root_shell(vm)
        timings.mark("boot after the local dump")
        stamp = shell.check("ls /data/core | grep -E '^[0-9]{12}$'")
        assert re.fullmatch(STAMP, stamp), stamp
        files = shell.check(f"ls -l /data/core/{stamp}")
        (artifacts / "local-dump.txt").write_text(files + "\n")
        assert f"dump.{stamp}" in files and f"dmesg.{stamp}" in files and "incomplete" not in files
        assert int(shell.check(f"stat -c %s /data/core/{stamp}/dump.{stamp}")) > 1 << 20
        # makedumpfile's dmesg is the crashed kernel's log, ending with the panic we caused
        assert int(shell.check(f"grep -c 'sysrq: Trigger a crash' /data/core/{stamp}/dmesg.{stamp}")) >= 1
        shown = shell.check("ovirt-node-config show kdump")
        assert f"kdump state: last dump: /data/core/{stamp} (" in shown and f"dump.{stamp} (" in shown, shown
        check_loaded(shell)

        shown = shell.check("ovirt-node-config set kdump.mode=disabled && ovirt-node-config show kdump", 300)
        assert shell.check("cat /sys/kernel/kexec_crash_loaded") == "0"
        assert "kdump state: crash kernel: not loaded: kdump is disabled" in shown, shown
        assert "kdump state: reserved memory: 256.0 MiB (kept until a reboot" in shown, shown

        key = base64.b64encode(ssh_target.key.read_bytes()).decode()
        shell.check(f"echo {key} | base64 -d > /root/kdump-key && mkdir -p -m 0700 /root/.ssh")
        shell.check(f"printf 'Host {HOST}\\n  Port {ssh_target.port}\\n' > /root/.ssh/config")
        shell.check(f"echo '[{HOST}]:{ssh_target.port} {ssh_target.host_key}' > /root/.ssh/known_hosts")
        shell.check("persist /root/.ssh/config /root/.ssh/known_hosts")
        shell.check(f"ovirt-node-config set kdump.mode=ssh kdump.ssh_location=root@{HOST} "
                    "kdump.ssh_key=file:///root/kdump-key", 300)
        check_loaded(shell)  # reloaded without a reboot
        assert shell.check("ssh -i /root/.ssh/kdump_id_rsa -o BatchMode=yes root@10.0.2.2 echo reached") == "reached"
        timings.mark("switch to SSH")
        crash(vm, shell)
        timings.mark("ssh: crash, crash kernel boot, dump, reboot")
        assert_no_kdump_failure(vm)
        assert any(f"saved vmcore in root@{HOST}:" in line for line in kdump_lines(vm)), "\n".join(kdump_lines(vm))

    new = remote_dumps() - before
    try:
        assert len(new) == 1, f"expected one new dump directory under {REMOTE_DIR}, found {sorted(new)}"
        remote = next(iter(new))
        stamp = remote.name.rsplit("-", 1)[1]
        sizes = {p.name: p.stat().st_size for p in remote.iterdir()}
        (artifacts / "ssh-dump.txt").write_text(f"{remote}: {sizes}\n")
        assert sizes.get(f"dump.{stamp}", 0) > 1 << 20 and sizes.get(f"dmesg.{stamp}", 0) > 0, sizes
    finally:
        for directory in new:
            shutil.rmtree(directory, ignore_errors=True)
