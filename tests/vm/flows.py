"""The steps the scenarios are made of: install from the media, boot the installed disk, and
look at the booted node through the root shell on its second serial line."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.vm.console import Console
from tests.vm.node import DEBUG_ARGS, NodeImage
from tests.vm.qemu import VM, Disk, Guest

#: Ceilings under TCG on 2 cores (measured times are in the closing notes and the artifacts).
INSTALL_TIMEOUT = 1500
BOOT_TIMEOUT = 420
DEBUG_PROMPT = r"(sh-[0-9.]+|root@[^ \n]*)# "  # systemd's debug shell: bash, or sh without a profile
#: The installer's last line: "done.", or after a failed step or a refusal (whose reasons come
#: on the lines before) where the log is kept.
DONE = r"(: done\.|The log is kept at |Traceback)[^\n]*\n"


HOSTNAME = "node1.example.com"


@dataclass
class MediaRun:
    """The end of a run of the installer from the media."""

    finished: str  # what the console printed: the "done." line or the failure
    seconds: float
    console: str  # the last lines of the console


def run_media(image: NodeImage, disks: Sequence[Disk], args: Sequence[str], workdir: Path, artifacts: Path,
              name: str = "media", timeout: float = INSTALL_TIMEOUT, uefi: bool = False,
              nvram: Path | None = None, extra: Sequence[str] = ()) -> MediaRun:
    """Boot the image's kernel and initrd as PXE would, with the ISO attached (the initramfs
    finds the image on it by label), with `args`; wait for the installer's verdict. On success
    the installer reboots, which ends qemu (-no-reboot)."""
    append = " ".join([*image.media_args(), *DEBUG_ARGS, *args])
    guest = Guest(name=name, disks=disks, cdrom=image.iso, kernel=image.kernel, initrd=image.initrd, append=append,
                  uefi=uefi, nvram=nvram, extra=tuple(extra))
    with VM(guest, workdir, artifacts) as vm:
        assert vm.console is not None
        finished = vm.console.expect(DONE, timeout).group(0)
        if "done" in finished:
            vm.wait_exit(180)
        return MediaRun(finished, vm.elapsed(), vm.console.tail())


@dataclass
class Installed:
    """Scenario 1's installed disk; the other scenarios boot qcow2 overlays of it."""

    disk: Path
    run: MediaRun


def root_shell(vm: VM, timeout: float = BOOT_TIMEOUT) -> Console:
    """The debug shell on ttyS1, once the boot has finished."""
    shell = vm.shell
    assert shell is not None
    shell.expect(DEBUG_PROMPT, timeout)
    shell.shell_ready()
    shell.run("systemctl is-system-running --wait", timeout)  # "running" or "degraded": either is booted
    return shell


#: How long a trial boot's health checks may take to decide (the node's grace plus a check's
#: timeout, under TCG).
HEALTH_TIMEOUT = 900


def health_decided(shell: Console, timeout: float = HEALTH_TIMEOUT) -> str:
    """Wait for this boot's health checks (ovirt-node-health.service is Type=exec after
    multi-user.target, so the boot is finished before they are): the unit's end state,
    `exited` (healthy), `failed`, or `dead` (not run: not booted from a slot)."""
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = shell.check("systemctl show -p SubState --value ovirt-node-health.service")
        if state not in ("running", "start", ""):
            return state
        time.sleep(3)
    raise AssertionError(f"the health checks did not decide in {timeout} s (ovirt-node-health: {state})")


def boot_disk(disks: Sequence[Disk], workdir: Path, artifacts: Path, name: str, uefi: bool = False,
              cdrom: Path | None = None, nvram: Path | None = None, extra: Sequence[str] = ()) -> VM:
    """The installed node booting from its disk; `cdrom` is a CD left in the drive; `extra`:
    more qemu arguments (the same machine's `-uuid`, say)."""
    return VM(Guest(name=name, disks=disks, uefi=uefi, nvram=nvram, cdrom=cdrom, cdrom_boots=False,
                    extra=tuple(extra)), workdir, artifacts)


def running_version(shell: Console) -> str:
    return shell.check(". /etc/ovirt-node/version 2>/dev/null || true; echo $VERSION")


def mount_source(shell: Console, mountpoint: str) -> str:
    """What is mounted on `mountpoint` ("" when nothing is)."""
    code, source = shell.run(f"findmnt -n -o SOURCE --mountpoint {mountpoint}")
    return source.strip() if code == 0 else ""


def save_install_log(shell: Console, artifacts: Path) -> str:
    """The installer's own log, as the node kept it on its Logging volume."""
    code, text = shell.run("cat /var/log/ovirt-node/install.log")
    if code == 0:
        (artifacts / "install.log").write_text(text + "\n")
    return text


def wait_for(predicate_text: str, shell: Console, command: str, timeout: float) -> str:
    """Run `command` until its output matches `predicate_text` (a regex); the last output."""
    deadline = time.monotonic() + timeout
    output = ""
    while time.monotonic() < deadline:
        _, output = shell.run(command)
        if re.search(predicate_text, output):
            return output
        time.sleep(2)
    raise AssertionError(f"`{command}` never matched {predicate_text!r}; last:\n{output}")
