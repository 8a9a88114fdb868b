"""The crash kernel's real state as the Kdump page and `ovirt-node-config show kdump` tell it:
read from a node root's /proc/cmdline, /sys/kernel and dump directory (the VM test reads the
same files of a running node: tests/vm/test_kdump.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ovirt_node.areas.kdump_state import crash_state, dumps, last_dump, summary
from ovirt_node.core.root import Root
from tests.node_fixtures import run_config

DEFAULT = "1G-4G:256M,4G-64G:384M,64G-:512M"


def kernel(root: Path, cmdline: str, loaded: str | None, size: str | None) -> None:
    (root / "proc").mkdir(parents=True, exist_ok=True)
    (root / "proc/cmdline").write_text(cmdline + "\n")
    (root / "sys/kernel").mkdir(parents=True, exist_ok=True)
    for name, value in (("kexec_crash_loaded", loaded), ("kexec_crash_size", size)):
        if value is not None:
            (root / "sys/kernel" / name).write_text(value + "\n")


def dump_dir(root: Path, name: str, files: dict[str, int]) -> Path:
    directory = root / "data/core" / name
    directory.mkdir(parents=True)
    for file, size in files.items():
        (directory / file).write_bytes(b"x" * size)
    return directory


@pytest.mark.parametrize(("cmdline", "loaded", "size", "mode", "crash", "reserved"), [
    (f"root=live:/dev/mapper/HostVG-Root crashkernel={DEFAULT}", "1", "268435456", "local",
     "loaded: a crash saves a dump", "256.0 MiB"),
    ("root=live:CDLABEL=OVIRT_NODE rd.live.image", "0", "0", "local",
     "not loaded: no memory is reserved for it: the kernel line has no crashkernel=", "none"),
    (f"root=live:/dev/mapper/HostVG-Root crashkernel={DEFAULT}", "0", "0", "local",
     f"not loaded: crashkernel={DEFAULT} reserved no memory (0, or the machine's memory is outside its ranges)",
     "none"),
    ("crashkernel=256M", "0", "268435456", "disabled", "not loaded: kdump is disabled",
     "256.0 MiB (kept until a reboot: the kernel frees it only at boot)"),
    ("crashkernel=256M", "0", "268435456", "nfs",
     "not loaded: kdump-tools did not load it; `systemctl status kdump-tools` and `kdump-config status` say why",
     "256.0 MiB"),
    ("crashkernel=256M", None, None, "local",
     "not loaded: no kexec in this kernel", "none"),
])
def test_loaded_or_why_not_and_the_memory_reserved(tmp_path: Path, cmdline: str, loaded: str | None,
                                                    size: str | None, mode: str, crash: str, reserved: str) -> None:
    kernel(tmp_path, cmdline, loaded, size)
    shown = summary(Root.at(tmp_path), mode, "/data/core")
    assert shown["Crash kernel"].startswith(crash), shown
    assert shown["Reserved memory"] == reserved


def test_the_last_dump_is_the_newest_time_stamped_directory(tmp_path: Path) -> None:
    root = Root.at(tmp_path)
    assert last_dump(root, "/data/core") is None  # no directory at all
    dump_dir(tmp_path, "202612061705", {"dump.202612061705": 3 << 20, "dmesg.202612061705": 40_000})
    dump_dir(tmp_path, "202612071230", {"dump-incomplete": 1024, "dmesg.202612071230": 20_000})
    dump_dir(tmp_path, "not-a-dump", {"dump.1": 1})
    (tmp_path / "data/core/kexec_cmd").write_text("kexec -p ...\n")  # kdump-config's own files beside
    os.symlink(tmp_path / "data/core/202612061705", tmp_path / "data/core/209901010000")
    assert [d.path for d in dumps(root, "/data/core")] == ["/data/core/202612061705", "/data/core/202612071230"]
    newest = last_dump(root, "/data/core")
    assert newest is not None and not newest.complete
    assert newest.describe() == ("/data/core/202612071230 (2026-12-07 12:30): dmesg.202612071230 (19.5 KiB), "
                                 "dump-incomplete (1.0 KiB); incomplete: no vmcore was saved")
    kernel(tmp_path, f"crashkernel={DEFAULT}", "1", "268435456")
    assert summary(root, "ssh", "/data/core", "kdump@dump.example.com")["Last dump"].endswith(
        "(dumps go to kdump@dump.example.com: look there)")


def test_config_show_kdump_prints_the_state_after_the_keys(node_root: Path) -> None:
    kernel(node_root, f"BOOT_IMAGE=/vmlinuz crashkernel={DEFAULT}", "1", "201326592")
    dump_dir(node_root, "202612061705", {"dump.202612061705": 5 << 20, "dmesg.202612061705": 30_000})
    out = run_config("--root", str(node_root), "show", "kdump", check=True).stdout.splitlines()
    assert out[0].startswith("kdump.mode")
    assert out[-3:] == [
        "kdump state: crash kernel: loaded: a crash saves a dump",
        "kdump state: reserved memory: 192.0 MiB",
        "kdump state: last dump: /data/core/202612061705 (2026-12-06 17:05): dmesg.202612061705 (29.3 KiB), "
        "dump.202612061705 (5.0 MiB)",
    ]
    other = run_config("--root", str(node_root), "show", "ssh", check=True).stdout
    assert "kdump state" not in other


def test_state_of_a_root_without_a_kernel(tmp_path: Path) -> None:
    state = crash_state(Root.at(tmp_path))
    assert (state.supported, state.loaded, state.reserved, state.crashkernel) == (False, False, 0, None)
