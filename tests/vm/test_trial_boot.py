"""Issue 25's proof: upgrades that cannot brick the node. One guest (an overlay of the shared
installed disk), upgraded in turn with `ovirt-node-upgrade --iso` to three images made from
the real one with `ovirt-node-image edit`:

(a) one whose required health check fails -> the trial boot records it and reboots; the old
    image comes back by itself, and the Status page and `--status` say which check failed;
(b) one whose /sbin/init exits at once (the kernel panics: "Attempted to kill init") -> the
    trial kernel's panic=10 reboots it; the old image comes back by itself;
(c) a good one -> its checks pass, the trial is committed, and it survives another reboot.

Every boot is its own qemu run (-no-reboot: a reboot, the node's own or the panic's, ends
qemu, and the test starts the next boot); qemu has an i6300esb watchdog, which the node's
systemd drives. The edited images and the guest's boots are timed in the artifacts.

The health checks run after the boot has finished (ovirt-node-health.service is Type=exec
after multi-user.target): the root shell comes as early as in any scenario, and the test
waits for the checks' verdict itself (flows.health_decided). Each boot's time to
`is-system-running` and to the verdict is written to the artifacts' `boot-times`.
`TRIAL_BOOT_INSTALLED=DISK` (a developer's shortcut) starts from a disk the `installed`
fixture made from the same image in an earlier run instead of installing again (~10 min).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.vm.console import Console
from tests.vm.flows import BOOT_TIMEOUT, boot_disk, health_decided, root_shell
from tests.vm.node import NodeImage
from tests.vm.qemu import VM, Disk, overlay
from tests.vm.test_configure_upgrade import running_version

pytestmark = pytest.mark.vm

TOOL = str(Path(sys.executable).parent / "ovirt-node-image")
FAILING_CHECK = "#!/bin/sh\necho 'deliberately failing: a test image'\nexit 1\n"
BAD_INIT = "#!/bin/sh\necho 'test image: init exits at once'\nexit 1\n"
#: The grace the test node's checks get (persisted, so every slot has it): a failing check is
#: retried for this long before the trial is given up.
GRACE = 30
#: A trial boot that fails its checks reboots after the boot, the checks and the grace.
SHELL_TIMEOUT = 1200
STATUS_PAGE = ("python3 -c \"from ovirt_node.ui.testing import PageHarness, builtin_page, page_context; "
               "print(PageHarness(builtin_page('status'), page_context('/', 'demo'), size=(200, 40)).text())\"")


def edited(base: NodeImage, out: Path, version: str, files: dict[str, str], artifacts: Path) -> NodeImage:
    """`ovirt-node-image edit` of the real image: `files` (path in the image -> text) added."""
    args = []
    for number, (dest, text) in enumerate(files.items()):
        src = out.parent / f"{out.name}-file{number}"
        src.write_text(text)
        src.chmod(0o755)
        args += ["--add-file", f"{src}:{dest}"]
    start = time.monotonic()
    done = subprocess.run([TOOL, "edit", str(base.path), *args, "--version", version, "--out", str(out)],
                          capture_output=True, text=True, timeout=1800)
    with (artifacts / "edits").open("a") as log:
        log.write(f"{out.name} {version}: {time.monotonic() - start:.0f} s\n")
    assert done.returncode == 0, done.stderr
    return NodeImage(out)


def boot(disks: list[Disk], workdir: Path, artifacts: Path, name: str, cdrom: Path | None = None) -> VM:
    vm = boot_disk(disks, workdir, artifacts, name, cdrom=cdrom)
    vm.guest.extra = ("-device", "i6300esb")
    return vm


def upgrade(shell: Console, version: str) -> None:
    out = shell.check("ovirt-node-upgrade --iso /dev/sr0", 900)
    assert "the next boot tries it" in out
    env = grubenv(shell)
    assert re.search(r"next_entry=slot-\w+", env) and "trial_left=1" in env, env


#: The grubenv as the node has it; the ESP is mounted for the read when it is not (its fstab
#: line is noauto, and the node mounts it only when it needs it).
GRUBENV = ("if findmnt -n /boot/efi >/dev/null; then grub-editenv /boot/efi/grub/grubenv list; "
           "else mount /boot/efi && grub-editenv /boot/efi/grub/grubenv list; umount /boot/efi || true; fi")


def grubenv(shell: Console) -> str:
    return shell.check(GRUBENV)


def status(shell: Console) -> str:
    return shell.check("ovirt-node-upgrade --status")


def booted(vm: VM) -> Console:
    """The root shell once the boot has finished; its time is logged."""
    shell = root_shell(vm)
    with (vm.artifacts / "boot-times").open("a") as log:
        log.write(f"{vm.guest.name}: is-system-running after {vm.elapsed():.0f} s "
                  f"({shell.check('systemctl is-system-running || true')})\n")
    return shell


def decided(vm: VM, shell: Console) -> str:
    """The health checks' verdict (the unit's end state); its time is logged."""
    state = health_decided(shell)
    with (vm.artifacts / "boot-times").open("a") as log:
        log.write(f"{vm.guest.name}: health decided ({state}) after {vm.elapsed():.0f} s\n")
    return state


def wait_for_self_reboot(vm: VM, what: str) -> None:
    """The trial boot ends by itself (qemu exits at the guest's reboot)."""
    vm.wait_exit(SHELL_TIMEOUT + GRACE)
    assert vm.console is not None
    (vm.artifacts / f"{vm.guest.name}.seen").write_text(what + "\n")


def installed_disk(request: pytest.FixtureRequest) -> Path:
    given = os.environ.get("TRIAL_BOOT_INSTALLED")
    if given:
        return Path(given)
    disk: Path = request.getfixturevalue("installed").disk
    return disk


def test_failed_upgrades_fall_back_and_a_good_one_commits(request: pytest.FixtureRequest, image: NodeImage,
                                                          vm_workdir: Path, artifacts: Path) -> None:
    base = image.version
    major, minor = base.split(".")[:2]
    bad_check = edited(image, vm_workdir / "img-a", f"{major}.{int(minor) + 1}.1",
                       {"/usr/lib/ovirt-node/health.d/60-test-fails": FAILING_CHECK}, artifacts)
    panics = edited(image, vm_workdir / "img-b", f"{major}.{int(minor) + 1}.2", {"/sbin/init": BAD_INIT}, artifacts)
    good = edited(image, vm_workdir / "img-c", f"{major}.{int(minor) + 1}.3",
                  {"/etc/ovirt-node/test-image": "good\n"}, artifacts)
    disk = overlay(installed_disk(request), vm_workdir / "trial.qcow2")
    disks = [Disk(disk, "disk0")]

    # The installed node: a short grace for the test, persisted (every slot restores it).
    with boot(disks, vm_workdir, artifacts, "base", cdrom=bad_check.iso) as vm:
        shell = booted(vm)
        assert running_version(shell) == base
        assert "i6300ESB" in shell.check("cat /sys/class/watchdog/watchdog0/identity")
        assert "1min" in shell.check("systemctl show -p RuntimeWatchdogUSec --value")
        shell.check(f"echo grace={GRACE} > /etc/ovirt-node/health.conf && persist /etc/ovirt-node/health.conf")
        assert decided(vm, shell) == "exited"
        assert re.match(r"slot Root \(.*\), boot: healthy$", status(shell).splitlines()[0]), status(shell)
        upgrade(shell, bad_check.version)
        vm.powerdown()

    # (a) The trial boot of the image whose required check fails: it reboots by itself...
    with boot(disks, vm_workdir, artifacts, "trial-a") as vm:
        wait_for_self_reboot(vm, "required check failed")
    # ... and the old image is back, saying why.
    with boot(disks, vm_workdir, artifacts, "fallback-a", cdrom=panics.iso) as vm:
        shell = booted(vm)
        assert running_version(shell) == base
        assert decided(vm, shell) == "exited"
        text = status(shell)
        assert "fallback after a failed trial" in text and "required check(s) failed: 60-test-fails" in text, text
        page = " ".join(shell.check(STATUS_PAGE, 300).split())
        assert re.search(r"Boot:? slot Root \(", page) and re.search(r"Health:? trial of RootBackup", page), page
        assert "fallback after a failed trial" in page and "60-test-fails" in page, page
        assert "next_entry=\n" in grubenv(shell) + "\n"
        upgrade(shell, panics.version)
        vm.powerdown()

    # (b) The trial kernel panics (init exits): panic=10 reboots it; the old image is back.
    with boot(disks, vm_workdir, artifacts, "trial-b") as vm:
        assert vm.console is not None
        vm.console.expect(r"Kernel panic - not syncing", BOOT_TIMEOUT)
        wait_for_self_reboot(vm, "kernel panic")
    with boot(disks, vm_workdir, artifacts, "fallback-b", cdrom=good.iso) as vm:
        shell = booted(vm)
        assert running_version(shell) == base
        assert decided(vm, shell) == "exited"
        text = status(shell)
        assert "fallback after a failed trial" in text and "it never reached its health checks" in text, text
        upgrade(shell, good.version)
        vm.powerdown()

    # (c) The good image: its checks pass on the trial boot and commit it...
    with boot(disks, vm_workdir, artifacts, "trial-c") as vm:
        shell = booted(vm)
        assert running_version(shell) == good.version
        assert decided(vm, shell) == "exited"
        text = status(shell)
        assert "trial boot: healthy: committed" in text, text
        env = grubenv(shell)
        slot = re.search(r"rd\.lvm\.lv=HostVG/(\w+)", shell.check("cat /proc/cmdline"))
        assert slot and f"saved_entry=slot-{slot.group(1)}" in env and "next_entry=\n" in env + "\n", env
        vm.powerdown()
    # ... and it survives another reboot, as the default.
    with boot(disks, vm_workdir, artifacts, "committed") as vm:
        shell = booted(vm)
        assert running_version(shell) == good.version
        assert "ovirt.trial" not in shell.check("cat /proc/cmdline")
        assert decided(vm, shell) == "exited"
        assert status(shell).startswith(f"slot {slot.group(1)} ")
        vm.powerdown()
