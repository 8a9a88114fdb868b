"""Kdump: where the kernel's crash dumps go (nowhere, the Data volume, NFS or SSH).

The platform map names the file: `/etc/kdump.conf` (Kdump lens) on the EL family,
`/etc/default/kdump-tools` (Shellvars) on Debian. Both are read back into the same keys, so
the page shows what the service will really do:

* EL: a `nfs`/`nfs4` line means NFS, `ssh` means SSH, a `path` or local target means local,
  and no target at all means disabled (3.x emptied the file and stopped the service).
* Debian: `USE_KDUMP=0` (or unset) means disabled, then `NFS=`, `SSH=`, else local to
  `KDUMP_COREDIR`.

Local dumps go to a directory on the Data volume (`/data/core`, 3.x's `path core` on
`/dev/HostVG/Data`), written as an absolute path that kdump resolves to its mount. The
service is restarted last; if that fails (kdump checks that it can reach the NFS export or
the SSH host when it starts) the transaction restores every file and the operator is told
the dump location is unreachable and why. The SSH key URL (http, https or file) is fetched
during the transaction into the key path the service uses; the URL itself is kept in
/etc/default/ovirt (`OVIRT_KDUMP_SSH_KEY`, as 3.x), the key never is.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ovirt_node.core.aug import SHELL_VARS, Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.defaults import quote, unquote
from ovirt_node.core.model import KernelArgHandler, Key, Section, changed_fields, switch_arg
from ovirt_node.core.platform import detect
from ovirt_node.core.steps import AugeasEdit, EnableUnit, RestartUnit, unit_enabled, write_file_atomic
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.core.valid import URL, Empty, NFSAddress, OneOf, Regex, SSHAddress

log = logging.getLogger(__name__)

KDUMP_CONF = LensFile("Kdump", "/etc/kdump.conf")
KDUMP_TOOLS = LensFile(SHELL_VARS, "/etc/default/kdump-tools")
LOCAL_PATH = "/data/core"
CRASH_LOADED = "/sys/kernel/kexec_crash_loaded"
REMOTE_PATH = "/var/crash"  # kdump's own default: the directory on the NFS export or SSH host
MODES = ("disabled", "local", "nfs", "ssh")
KEY_LIMIT = 64 * 1024
FETCH_TIMEOUT = 30.0

#: EL kdump.conf lines that choose where dumps go; all are replaced when the mode is set.
EL_TARGETS = ("raw", "net", "nfs", "nfs4", "ssh", "sshkey", "path", "ext2", "ext3", "ext4", "xfs",
              "btrfs", "vfat", "minix")
_EL_LOCAL_TARGETS = ("raw", "ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "minix")
COLLECTOR = "makedumpfile -l --message-level 7 -d 31"
COLLECTOR_SSH = "makedumpfile -F -l --message-level 7 -d 31"  # kdump needs a flat file over ssh


class FileURL(Regex):
    """file:///absolute/path: a key on local media (the installer's USB stick, say)."""

    def __init__(self) -> None:
        super().__init__(r"file://(/[^\s/]+)+", "a file URL such as file:///media/keys/kdump_id_rsa")


KEY_URL = Empty() | URL(("http", "https")) | FileURL()
LOCAL_DIR = Regex(r"(/[A-Za-z0-9._-]+)+", "an absolute directory path such as /data/core")


@dataclass(frozen=True)
class KdumpSettings:
    mode: str
    local_path: str
    nfs_location: str
    ssh_location: str
    ssh_key: str


class Layout(Protocol):
    """How one platform's kdump file says where dumps go."""

    file: LensFile

    def read(self, aug: Augeas) -> dict[str, str | None]: ...

    def write(self, aug: Augeas, new: KdumpSettings, key_path: str) -> None: ...


class ElLayout:
    """/etc/kdump.conf of kexec-tools / kdump-utils (EL family)."""

    file = KDUMP_CONF
    node = files_node(KDUMP_CONF.path)

    def read(self, aug: Augeas) -> dict[str, str | None]:
        nfs = aug.get(f"{self.node}/nfs") or aug.get(f"{self.node}/nfs4")
        ssh = aug.get(f"{self.node}/ssh")
        path = aug.get(f"{self.node}/path")
        local_target = any(aug.exists(f"{self.node}/{t}") for t in _EL_LOCAL_TARGETS)
        if nfs:
            return {"kdump.mode": "nfs", "kdump.nfs_location": nfs}
        if ssh:
            return {"kdump.mode": "ssh", "kdump.ssh_location": ssh}
        if path or local_target:
            return {"kdump.mode": "local", "kdump.local_path": path or REMOTE_PATH}
        return {"kdump.mode": "disabled"}

    def write(self, aug: Augeas, new: KdumpSettings, key_path: str) -> None:
        for target in EL_TARGETS:
            aug.remove(f"{self.node}/{target}")
        if new.mode == "disabled":
            return
        if new.mode == "local":
            aug.set(f"{self.node}/path", new.local_path)
        elif new.mode == "nfs":
            aug.set(f"{self.node}/nfs", new.nfs_location)
        else:
            aug.set(f"{self.node}/ssh", new.ssh_location)
            if new.ssh_key:
                aug.set(f"{self.node}/sshkey", key_path)
        aug.set(f"{self.node}/core_collector", COLLECTOR_SSH if new.mode == "ssh" else COLLECTOR)


class DebianLayout:
    """/etc/default/kdump-tools of kdump-tools (sourced by kdump-config and the unit)."""

    file = KDUMP_TOOLS
    node = files_node(KDUMP_TOOLS.path)

    def _get(self, aug: Augeas, name: str) -> str:
        raw = aug.get(f"{self.node}/{name}")
        return unquote(raw) if raw else ""

    def read(self, aug: Augeas) -> dict[str, str | None]:
        if self._get(aug, "USE_KDUMP") in ("", "0"):
            return {"kdump.mode": "disabled"}
        if self._get(aug, "NFS"):
            return {"kdump.mode": "nfs", "kdump.nfs_location": self._get(aug, "NFS")}
        if self._get(aug, "SSH"):
            return {"kdump.mode": "ssh", "kdump.ssh_location": self._get(aug, "SSH")}
        return {"kdump.mode": "local", "kdump.local_path": self._get(aug, "KDUMP_COREDIR") or REMOTE_PATH}

    def _set(self, aug: Augeas, name: str, value: str) -> None:
        aug.set(f"{self.node}/{name}", quote(value))

    def write(self, aug: Augeas, new: KdumpSettings, key_path: str) -> None:
        aug.set(f"{self.node}/USE_KDUMP", "0" if new.mode == "disabled" else "1")
        if new.mode == "disabled":
            return  # the rest stays as it was, for the day kdump is switched on again
        for name in ("NFS", "SSH", "SSH_KEY"):
            aug.remove(f"{self.node}/{name}")
        # For NFS, KDUMP_COREDIR is where the export is mounted; for SSH, the remote directory.
        self._set(aug, "KDUMP_COREDIR", new.local_path if new.mode == "local" else REMOTE_PATH)
        if new.mode == "nfs":
            self._set(aug, "NFS", new.nfs_location)
        elif new.mode == "ssh":
            self._set(aug, "SSH", new.ssh_location)
            if new.ssh_key:
                self._set(aug, "SSH_KEY", key_path)


_LAYOUTS: dict[str, Layout] = {layout.file.path: layout for layout in (ElLayout(), DebianLayout())}


def layout_for(ctx: Context) -> Layout:
    """The layout of the file the platform map names for kdump."""
    path = detect(ctx.root).path("kdump")
    try:
        return _LAYOUTS[path]
    except KeyError:
        raise ValueError(f"kdump: no known layout for {path} (ovirt_node/data/platforms)") from None


# -- steps --------------------------------------------------------------------------------


class KdumpUnreachable(RuntimeError):
    """The kdump service would not start with the new dump location."""

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"dump location unreachable ({location}): {reason}")


def private_key(data: bytes, url: str) -> bytes:
    """`data` if it looks like an SSH private key (not a public key or an error page)."""
    text = data.decode("ascii", errors="replace")
    if not re.search(r"^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----$", text, re.MULTILINE):
        raise ValueError(f"{url} does not hold an SSH private key (no '-----BEGIN ... PRIVATE KEY-----' line)")
    return data


def fetch(url: str, limit: int = KEY_LIMIT, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The body at an http, https or file URL, refusing anything over `limit` bytes."""
    if not url.startswith(("http://", "https://", "file://")):
        raise ValueError(f"{url}: only http, https and file URLs are fetched")
    import urllib.request  # here: http/ssl/email modules cost the setup TUI's first screen ~15 ms

    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - scheme checked above
        data: bytes = response.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{url}: more than {limit} bytes; that is no SSH key")
    return data


@dataclass(frozen=True)
class FetchSshKey(Step):
    """Fetch the SSH private key kdump logs in with; mode 0600 in a 0700 directory."""

    url: str
    path: str
    title: str = "Fetch the SSH key for kdump"

    def describe(self) -> str:
        return f"{self.title}: {self.url} -> {self.path}"

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def apply(self, ctx: Context, run: StepRun) -> None:
        data = private_key(fetch(self.url), self.url)
        target = ctx.root(self.path)
        if not target.parent.exists():
            target.parent.mkdir(mode=0o700, parents=True)
        write_file_atomic(target, data, 0o600)
        target.chmod(0o600)  # an old key file may have been readable by others
        log.info("kdump: SSH key from %s saved to %s", self.url, self.path)


def service_log(ctx: Context, unit: str, since: float, lines: int = 3) -> str:
    """The unit's last journal lines since `since`: why it failed, in its own words. Only on
    the running host (a root prefix has no journal of its own); empty when unavailable."""
    if not ctx.root.is_host:
        return ""
    try:
        result = ctx.runner(["journalctl", "--unit", unit, "--since", f"@{int(since)}", "--output", "cat",
                             "--no-pager", "--quiet"], check=False, timeout=10)
    except Exception as exc:  # the reason is a courtesy: never let it hide the failure itself
        log.debug("journalctl for %s failed: %s", unit, exc)
        return ""
    found = [line.strip() for line in result.stdout.splitlines() if line.strip()]
    return " / ".join(found[-lines:])


@dataclass(frozen=True)
class RestartKdump(RestartUnit):
    """Restart the kdump service, which checks that it can reach the dump location."""

    location: str = ""

    def apply(self, ctx: Context, run: StepRun) -> None:
        from ovirt_node.system.systemd import SystemdError  # D-Bus only when it is needed

        since = time.time()
        try:
            ctx.systemd.restart_unit(self.unit)
        except SystemdError as exc:
            said = service_log(ctx, self.unit, since)
            raise KdumpUnreachable(self.location, f"{exc}; {said}" if said else str(exc)) from exc
        run.once_restored(f"restart {self.unit} on the restored files", lambda: ctx.systemd.restart_unit(self.unit))


@dataclass(frozen=True)
class StopKdump(RestartUnit):
    """Stop the kdump service (a restart step, so the engine runs it after the files)."""

    def __post_init__(self) -> None:
        self._default_title(f"Stop {self.unit}")

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.systemd.stop_unit(self.unit)
        # Debian's kdump-tools unloads only while USE_KDUMP=1, which this change just set to 0:
        # unload here what the stopped service left loaded (its memory stays reserved).
        if ctx.root.is_host and crash_kernel_loaded(ctx):
            ctx.runner(["kexec", "-p", "-u"])


def crash_kernel_loaded(ctx: Context) -> bool:
    try:
        return ctx.root(CRASH_LOADED).read_text(errors="replace").strip() == "1"
    except OSError:  # a kernel without kexec
        return False


def service_state(ctx: Context, unit: str) -> str:
    """`enabled at boot, active now`: the boot link as the files say, and the running state
    where systemd can be asked (on the node, or a root prefix with a bus)."""
    boot = f"{'enabled' if unit_enabled(ctx, unit) else 'disabled'} at boot"
    if not ctx.runtime_effects:
        return boot
    from ovirt_node.system.systemd import Systemd, SystemdError

    try:
        with Systemd.connect(ctx.bus) as systemd:  # its own connection: pages read in workers
            return f"{boot}, {systemd.unit_active_state(unit)} now"
    except SystemdError as exc:
        log.info("kdump: state of %s unknown: %s", unit, exc)
        return boot


# -- the section --------------------------------------------------------------------------


#: The settings each mode writes; a change to any other (a remembered location) touches no file.
_FIELDS_OF = {
    "disabled": {"mode"},
    "local": {"mode", "local_path"},
    "nfs": {"mode", "nfs_location"},
    "ssh": {"mode", "ssh_location", "ssh_key"},
}


def _location(settings: KdumpSettings) -> str:
    return {"local": settings.local_path, "nfs": settings.nfs_location,
            "ssh": settings.ssh_location}.get(settings.mode, "")


class Kdump(Section):
    name = "kdump"
    title = "Kdump"
    settings = KdumpSettings
    lens_files = (KDUMP_CONF, KDUMP_TOOLS)
    keys = (
        Key("kdump.mode", "OVIRT_KDUMP_MODE", OneOf(*MODES), default="local",
            help="where crash dumps go: disabled, local (the Data volume), nfs or ssh"),
        Key("kdump.local_path", "OVIRT_KDUMP_LOCAL_PATH", LOCAL_DIR, default=LOCAL_PATH,
            help="directory for local crash dumps (on the Data volume)"),
        Key("kdump.nfs_location", "OVIRT_KDUMP_NFS", Empty() | NFSAddress(),
            help="NFS export for crash dumps, host:/path (e.g. example.com:/var/crash)"),
        Key("kdump.ssh_location", "OVIRT_KDUMP_SSH", Empty() | SSHAddress(),
            help="SSH destination for crash dumps, user@host (e.g. root@example.com)"),
        Key("kdump.ssh_key", "OVIRT_KDUMP_SSH_KEY", KEY_URL,
            help="URL of the SSH private key for the SSH mode (optional; http, https or file)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        layout = layout_for(ctx)
        if not ctx.root(layout.file.path).exists():
            return {}
        return layout.read(ctx.aug)

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        mode = values.get("kdump.mode")
        if mode == "nfs" and not values.get("kdump.nfs_location"):
            return {"kdump.nfs_location": "must be given for NFS dumps (host:/path)"}
        if mode == "ssh" and not values.get("kdump.ssh_location"):
            return {"kdump.ssh_location": "must be given for SSH dumps (user@host)"}
        return {}

    def plan(self, ctx: Context, old: KdumpSettings, new: KdumpSettings) -> Sequence[Step]:
        if not changed_fields(old, new) & _FIELDS_OF[new.mode]:
            return []  # e.g. a remembered NFS location edited while dumping locally
        platform = detect(ctx.root)
        layout = layout_for(ctx)
        key_path = platform.path("kdump-ssh-key")
        steps: list[Step] = [
            AugeasEdit("Configure kdump", layout.file, lambda aug: layout.write(aug, new, key_path)),
        ]
        if new.mode == "ssh" and new.ssh_key:
            steps.append(FetchSshKey(new.ssh_key, key_path))
        unit = platform.unit("kdump")
        if new.mode == "disabled":  # off, also after a reboot
            # Unloading frees nothing: the kernel keeps its crashkernel= memory until a reboot.
            steps += [EnableUnit(unit, False),
                      StopKdump(unit, f"Stop {unit} (unloads the crash kernel; its memory stays reserved until a "
                                      "reboot)")]
        else:
            steps += [EnableUnit(unit), RestartKdump(unit, f"Restart {unit} (reloads the crash kernel, checks "
                                                           "the dump location)",
                                                     _location(new))]
        return steps

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {
            "kdump_nfs": lambda v: {"kdump.mode": "nfs", "kdump.nfs_location": v or ""},
            "kdump_ssh": lambda v: {"kdump.mode": "ssh", "kdump.ssh_location": v or ""},
            "kdump_ssh_key": lambda v: {"kdump.ssh_key": v or ""},
            # disable_kdump=0 asks for nothing: the mode stays what the other arguments say.
            "disable_kdump": switch_arg("disable_kdump", {"kdump.mode": "disabled"}, {}),
        }
