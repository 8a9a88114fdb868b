"""One qemu guest for the VM tests: q35, virtio disks (qcow2) and NICs, the serial lines on unix
sockets, QMP for power control, SeaBIOS or OVMF; killed by PID whatever happens.

Acceleration: KVM only where it really runs stock kernels. This build machine's /dev/kvm is
PVM (`kvm_pvm`), which cannot boot through firmware, so TCG is chosen there
(`OVIRT_NODE_VM_ACCEL=kvm|tcg` overrides; see ../shared/reference/vm.md).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.vm.console import Console
from tests.vm.qmp import Qmp

log = logging.getLogger(__name__)

OVMF_CODE = Path("/usr/share/OVMF/OVMF_CODE_4M.fd")
OVMF_VARS = Path("/usr/share/OVMF/OVMF_VARS_4M.fd")
#: Secure Boot enforced: the firmware built with SMM (its variables only changeable there) and
#: a variable store with Microsoft's keys enrolled (what a stock server ships with).
OVMF_CODE_SECBOOT = Path("/usr/share/OVMF/OVMF_CODE_4M.secboot.fd")
OVMF_VARS_MS = Path("/usr/share/OVMF/OVMF_VARS_4M.ms.fd")


def accelerator() -> str:
    forced = os.environ.get("OVIRT_NODE_VM_ACCEL")
    if forced:
        return forced
    if not Path("/dev/kvm").exists() or Path("/sys/module/kvm_pvm").exists():
        return "tcg"
    return "kvm"


def create_disk(path: Path, size: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", str(path), size], check=True)
    return path


def overlay(base: Path, path: Path) -> Path:
    """A qcow2 on top of `base`: boots start from the same installed disk, `base` unchanged."""
    subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "qcow2", "-b", str(base.resolve()), str(path)],
                   check=True)
    return path


@dataclass
class Disk:
    path: Path
    serial: str
    snapshot: bool = False


@dataclass
class Guest:
    """What to boot. `kernel`/`initrd`/`append` boot directly (as PXE would); otherwise the
    firmware boots the CD (`cdrom`, unless `cdrom_boots` is off: a CD merely inserted) or the
    first disk."""

    name: str
    disks: Sequence[Disk] = ()
    cdrom: Path | None = None
    cdrom_boots: bool = True
    kernel: Path | None = None
    initrd: Path | None = None
    append: str = ""
    uefi: bool = False
    #: OVMF with Secure Boot enforced (implies uefi): q35 with SMM, the secboot firmware and
    #: Microsoft's keys in the variable store.
    secure_boot: bool = False
    #: OVMF's variable store; boots of one machine share it (its boot entries), else each
    #: guest starts from a blank copy.
    nvram: Path | None = None
    nics: int = 3  # the management NIC and two for a bond (scenario 3); every boot sees the same
    memory_mb: int = 2048
    #: (host port, guest port) TCP forwards on the management NIC (net0), host side on 127.0.0.1
    forwards: Sequence[tuple[int, int]] = ()
    #: Network boot: the management NIC boots first (qemu's iPXE ROM), and the DHCP answer of
    #: user networking names this file (a URL: iPXE fetches it over HTTP).
    net_boot: str | None = None
    reboot: bool = False  # a reboot ends qemu unless this is set, so each boot is the test's choice
    extra: Sequence[str] = field(default_factory=tuple)


class VM:
    """A running guest. Use as a context manager: qemu is killed on the way out."""

    def __init__(self, guest: Guest, workdir: Path, artifacts: Path) -> None:
        self.guest = guest
        self.dir = workdir / guest.name
        self.dir.mkdir(parents=True, exist_ok=True)
        self.artifacts = artifacts
        artifacts.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None
        self.console: Console | None = None
        self.shell: Console | None = None
        self.qmp: Qmp | None = None
        self.started = 0.0

    def argv(self) -> list[str]:
        g = self.guest
        accel = accelerator()
        machine = f"q35,accel={accel}" + (",smm=on" if g.secure_boot else "")
        argv = ["qemu-system-x86_64", "-name", g.name, "-machine", machine, "-smp", "1",
                "-m", str(g.memory_mb), "-display", "none", "-nodefaults", "-vga", "std",
                "-chardev", f"socket,id=ser0,path={self.dir / 'ttyS0.sock'},server=on,wait=on",
                "-serial", "chardev:ser0",
                "-chardev", f"socket,id=ser1,path={self.dir / 'ttyS1.sock'},server=on,wait=on",
                "-serial", "chardev:ser1",
                "-qmp", f"unix:{self.dir / 'qmp.sock'},server=on,wait=off"]
        if accel == "kvm":
            argv += ["-cpu", "host"]
        if not g.reboot:
            argv.append("-no-reboot")
        if g.uefi or g.secure_boot:
            vars_copy = g.nvram or self.dir / "OVMF_VARS.fd"
            if not vars_copy.exists():
                shutil.copyfile(OVMF_VARS_MS if g.secure_boot else OVMF_VARS, vars_copy)
            code = OVMF_CODE_SECBOOT if g.secure_boot else OVMF_CODE
            argv += ["-drive", f"if=pflash,format=raw,unit=0,readonly=on,file={code}",
                     "-drive", f"if=pflash,format=raw,unit=1,file={vars_copy}"]
            if g.secure_boot:
                argv += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
        for index, disk in enumerate(g.disks):
            snapshot = ",snapshot=on" if disk.snapshot else ""
            argv += ["-drive", f"file={disk.path},if=none,id=disk{index},format=qcow2{snapshot}",
                     "-device", f"virtio-blk-pci,drive=disk{index},serial={disk.serial}"
                     + (",bootindex=1" if index == 0 else "")]
        if g.cdrom:
            argv += ["-drive", f"file={g.cdrom},if=none,id=cd,media=cdrom,readonly=on",
                     "-device", "ide-cd,drive=cd" + (",bootindex=0" if g.cdrom_boots and not g.kernel else "")]
        for index in range(g.nics):
            forwards = g.forwards if index == 0 else ()
            hostfwd = "".join(f",hostfwd=tcp:127.0.0.1:{host}-:{guest}" for host, guest in forwards)
            boots = index == 0 and g.net_boot is not None
            argv += ["-netdev", f"user,id=net{index}{hostfwd}" + (f",bootfile={g.net_boot}" if boots else ""),
                     "-device", f"virtio-net-pci,netdev=net{index},mac=52:54:00:00:00:{index + 1:02x}"
                     + (",bootindex=0" if boots else "")]
        if g.kernel:
            argv += ["-kernel", str(g.kernel), "-append", g.append]
            if g.initrd:
                argv += ["-initrd", str(g.initrd)]
        return [*argv, *g.extra]

    def start(self) -> VM:
        argv = self.argv()
        log.info("starting %s: %s", self.guest.name, " ".join(argv))
        (self.artifacts / f"{self.guest.name}.argv").write_text(" ".join(argv) + "\n")
        stderr = (self.artifacts / f"{self.guest.name}.qemu.log").open("ab")
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr)
        stderr.close()
        # qemu waits for both serial lines before the guest runs: nothing printed is lost.
        try:
            self.console = Console(self.dir / "ttyS0.sock", self.artifacts / f"{self.guest.name}.ttyS0.log")
            self.shell = Console(self.dir / "ttyS1.sock", self.artifacts / f"{self.guest.name}.ttyS1.log")
            self.qmp = Qmp(self.dir / "qmp.sock")
        except OSError as exc:
            self.kill()
            qemu_log = (self.artifacts / f"{self.guest.name}.qemu.log").read_text(errors="replace")
            raise AssertionError(f"qemu did not start ({exc}):\n{qemu_log}") from None
        return self

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def wait_exit(self, timeout: float) -> int:
        """Wait for qemu to end (the guest powered off, or rebooted with reboot=False)."""
        assert self.proc is not None
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            tail = self.console.tail() if self.console else ""
            raise AssertionError(f"{self.guest.name} still running after {timeout:.0f} s; console:\n{tail}") from None

    def powerdown(self, timeout: float = 90) -> None:
        if self.proc and self.proc.poll() is None and self.qmp:
            self.qmp.command("system_powerdown")
            self.wait_exit(timeout)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None and self.qmp:
            try:  # what the screen showed (firmware and grub talk to it before the serial line)
                self.qmp.command("screendump", filename=str(self.artifacts / f"{self.guest.name}.screen.ppm"))
            except (OSError, ValueError, RuntimeError):
                pass
        for closable in (self.qmp, self.console, self.shell):
            if closable:
                try:
                    closable.close()
                except OSError:
                    pass
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def __enter__(self) -> VM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.kill()
