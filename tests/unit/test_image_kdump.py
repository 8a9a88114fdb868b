"""The image's kdump files: the crash kernel is the booted slot's kernel and initrd, dumps go
to /data/core, and kdump-tools is skipped (not failed) where no crash memory is reserved.
Checked with the tools that read them: systemd-analyze and systemctl, sh, grep, the config
engine; the booted result is tests/vm/test_kdump.py."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ovirt_node.image.kdump import SLOT_INITRD, link_crash_initrd
from ovirt_node.image.recipe import recipe_dir
from tests.node_fixtures import run_config

FILES = recipe_dir() / "files"
DEFAULTS = FILES / "etc/default/kdump-tools"
KERNEL = "6.1.0-57-amd64"


def test_units_verify_and_kdump_tools_is_skipped_without_crash_memory(tmp_path: Path) -> None:
    assert Path("/lib/systemd/system/kdump-tools.service").exists(), "kdump-tools is not installed (make deps)"
    shutil.copytree(FILES, tmp_path, dirs_exist_ok=True)
    shutil.copytree("/lib/systemd/system", tmp_path / "usr/lib/systemd/system", symlinks=True)
    (tmp_path / "etc/init.d").mkdir(parents=True, exist_ok=True)
    shutil.copy2("/etc/init.d/kdump-tools", tmp_path / "etc/init.d/kdump-tools")
    (tmp_path / "usr/bin").mkdir(parents=True, exist_ok=True)
    shutil.copy2("/usr/bin/grep", tmp_path / "usr/bin/grep")  # the image's grep (Debian's, as here)
    units = [str(tmp_path / "usr/lib/systemd/system" / u) for u in ("kdump-tools.service", "kdump-tools-dump.service")]
    verified = subprocess.run(["systemd-analyze", "verify", f"--root={tmp_path}", *units], capture_output=True,
                              text=True)
    assert verified.returncode == 0 and "kdump" not in verified.stderr, verified.stderr
    shown = "".join(p.read_text() for p in sorted((FILES / "etc/systemd/system").glob("kdump-tools*.d/*.conf")))
    assert "ConditionPathExists=!/proc/vmcore" in shown
    assert "After=ovirt-node-early.service local-fs.target network-online.target" in shown
    condition = next(line.split("=", 1)[1] for line in shown.splitlines() if line.startswith("ExecCondition="))
    # The condition itself, on the values the kernel gives: run only when memory is reserved
    # (exit 0); 0 or no such file (a kernel without kexec) skip the unit (1..254), not fail it.
    size = tmp_path / "kexec_crash_size"
    codes = {}
    for value in ("268435456\n", "0\n", None):
        size.unlink(missing_ok=True)
        if value is not None:
            size.write_text(value)
        argv = [word if word != "/sys/kernel/kexec_crash_size" else str(size) for word in condition.split()]
        codes[value] = subprocess.run(argv, capture_output=True).returncode
    assert codes["268435456\n"] == 0 and codes["0\n"] == 1 and 1 <= codes[None] <= 254


def test_the_crash_kernel_is_the_booted_slots_and_dumps_go_to_data_core(node_root: Path) -> None:
    values = subprocess.run(["sh", "-c", '. "$1"; echo "$USE_KDUMP|$KDUMP_KERNEL|$KDUMP_INITRD|$KDUMP_COREDIR|'
                             '$KDUMP_CMDLINE|$KDUMP_CMDLINE_APPEND"', "sh", str(DEFAULTS)],
                            capture_output=True, text=True, check=True).stdout.strip().split("|")
    assert values[:5] == ["1", "/run/initramfs/live/vmlinuz", SLOT_INITRD, "/data/core", ""]
    assert "systemd.unit=kdump-tools-dump.service" in values[5]
    # The Kdump page reads the shipped file as its default: local dumps on the Data volume.
    shutil.copyfile(DEFAULTS, node_root / "etc/default/kdump-tools")
    out = run_config("--root", str(node_root), "show", "kdump", check=True).stdout
    assert "kdump.mode          'local'" in out and "kdump.local_path    '/data/core'" in out


@pytest.mark.parametrize("sysctl", [True, False])
def test_kdump_configs_initrd_is_a_link_to_the_slots(tmp_path: Path, sysctl: bool) -> None:
    """kdump-config removes `initrd.img-<kernel>` when /etc/kdump/sysctl.conf differs from its
    copy, and builds one with initramfs-tools when it is missing: neither may happen."""
    kdump = tmp_path / "var/lib/kdump"
    (kdump / "initramfs-tools/conf.d").mkdir(parents=True)
    (kdump / f"initrd.img-{KERNEL}").write_bytes(b"initramfs-tools' initrd")
    if sysctl:
        (tmp_path / "etc/kdump").mkdir(parents=True)
        (tmp_path / "etc/kdump/sysctl.conf").write_text("kernel.panic_on_oops=1\n")
    link_crash_initrd(tmp_path, KERNEL)
    assert sorted(p.name for p in kdump.iterdir()) == [f"initrd.img-{KERNEL}"] + (
        [f"latest_sysctls-{KERNEL}"] if sysctl else [])
    assert (kdump / f"initrd.img-{KERNEL}").readlink() == Path(SLOT_INITRD)
    if sysctl:
        same = subprocess.run(["cmp", "-s", str(tmp_path / "etc/kdump/sysctl.conf"),
                               str(kdump / f"latest_sysctls-{KERNEL}")])
        assert same.returncode == 0
