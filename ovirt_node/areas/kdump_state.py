"""What kdump really does on this node right now, beside what its file says: whether the
crash kernel is loaded and why not, the memory the kernel reserved for it, and the last
local dump. Read from the kernel (/proc/cmdline, /sys/kernel) and the dump directory; the
Kdump page and `ovirt-node-config show kdump` print it.

kdump-tools saves each dump in a directory named by its time, `YYYYMMDDHHMM`, holding
`dump.<time>` (makedumpfile's vmcore), `dmesg.<time>` (the crashed kernel's log) and, while
saving or after a failed save, `dump-incomplete`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from ovirt_node.areas.kdump import CRASH_LOADED, LOCAL_PATH
from ovirt_node.core.cmdline import parse
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root

SIZE = "/sys/kernel/kexec_crash_size"
CMDLINE = "/proc/cmdline"
_STAMP = re.compile(r"^(?:.*-)?(\d{12})$")  # a local dump's directory, or host-stamped on a share


@dataclass(frozen=True)
class Dump:
    path: str  # the dump's directory on the node
    time: datetime
    files: tuple[tuple[str, int], ...]  # (name, size in bytes), sorted by name

    @property
    def complete(self) -> bool:
        return any(name.startswith(("dump.", "vmcore.")) for name, _ in self.files)

    def describe(self) -> str:
        shown = ", ".join(f"{name} ({_size(size)})" for name, size in self.files) or "no files"
        state = "" if self.complete else "; incomplete: no vmcore was saved"
        return f"{self.path} ({self.time:%Y-%m-%d %H:%M}): {shown}{state}"


@dataclass(frozen=True)
class CrashState:
    supported: bool  # the kernel can load a crash kernel at all
    loaded: bool
    reserved: int  # bytes the kernel reserved for the crash kernel
    crashkernel: str | None  # the boot line's crashkernel= value

    def describe(self, mode: str) -> str:
        """"loaded", or "not loaded: <why>" for an operator who wants to know what to do."""
        if self.loaded:
            return "loaded: a crash saves a dump" if mode != "disabled" else \
                "loaded (kdump is being switched off)"
        return f"not loaded: {self.why_not(mode)}"

    def why_not(self, mode: str) -> str:
        if not self.supported:
            return "no kexec in this kernel"
        if self.crashkernel is None:
            return ("no memory is reserved for it: the kernel line has no crashkernel= (the install media, "
                    "or a boot entry written by hand)")
        if self.reserved == 0:
            return (f"crashkernel={self.crashkernel} reserved no memory (0, or the machine's memory is "
                    "outside its ranges)")
        if mode == "disabled":
            return "kdump is disabled"
        return "kdump-tools did not load it; `systemctl status kdump-tools` and `kdump-config status` say why"

    def reserved_text(self, mode: str) -> str:
        if self.reserved == 0:
            return "none"
        text = _size(self.reserved)
        if mode == "disabled":
            text += " (kept until a reboot: the kernel frees it only at boot)"
        return text


def _size(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} B"


def _read(root: Root, path: str) -> str | None:
    try:
        return root(path).read_text(errors="replace").strip()
    except OSError:
        return None


def crash_state(root: Root) -> CrashState:
    loaded = _read(root, CRASH_LOADED)
    size = _read(root, SIZE)
    cmdline = _read(root, CMDLINE) or ""
    crashkernel = parse(cmdline).get("crashkernel") if "crashkernel=" in cmdline else None
    return CrashState(supported=loaded is not None, loaded=loaded == "1",
                      reserved=int(size) if size and size.isdigit() else 0, crashkernel=crashkernel)


def dumps(root: Root, directory: str) -> list[Dump]:
    """The dumps under `directory` (a node path), oldest first."""
    try:
        entries = list(root(directory).iterdir())
    except OSError:
        return []
    found = []
    for entry in entries:
        match = _STAMP.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink():
            continue
        try:
            when = datetime.strptime(match.group(1), "%Y%m%d%H%M")
            files = tuple(sorted((f.name, f.stat().st_size) for f in entry.iterdir() if f.is_file()))
        except (ValueError, OSError):
            continue
        found.append(Dump(f"{directory.rstrip('/')}/{entry.name}", when, files))
    return sorted(found, key=lambda d: (d.time, d.path))


def last_dump(root: Root, directory: str) -> Dump | None:
    found = dumps(root, directory)
    return found[-1] if found else None


def summary(root: Root, mode: str, local_path: str, remote: str = "") -> dict[str, str]:
    """The state as labelled lines: "Crash kernel", "Reserved memory", "Last dump"."""
    state = crash_state(root)
    dump = last_dump(root, local_path)
    last = dump.describe() if dump else f"none in {local_path}"
    if mode in ("nfs", "ssh"):
        last += f" (dumps go to {remote}: look there)"
    return {"Crash kernel": state.describe(mode), "Reserved memory": state.reserved_text(mode), "Last dump": last}


def node_summary(engine: Engine) -> dict[str, str]:
    """`summary` for the settings the engine reads on the node."""
    values = engine.values(["kdump"])
    mode = values.get("kdump.mode") or "disabled"
    remote = values.get("kdump.nfs_location" if mode == "nfs" else "kdump.ssh_location") or ""
    return summary(engine.ctx.root, mode, values.get("kdump.local_path") or LOCAL_PATH, remote)
