"""What the setup TUI's Status page shows: host name, management NIC, DNS, logging, virtualization
(the VM counts are report/vms.py).

Every function here takes what it needs (a Root, a Machine, a runner, engine values) and returns
plain strings or small records (named tuples).  None of them raises because a file is missing or a tool is
not installed: the answer is then "unknown", "not available", an empty list or None, and the
reason goes to the debug log.  They are quick, but the UI is expected to call them from a worker.

Host versus prefix
------------------
Files are always read under the root.  Asking the running system (``ip``, ``lscpu``)
only describes the host, so those are used when the root is ``/``; under a prefix (``make demo``,
tests, an installer target) the answers come from the tree and the machine profile instead.
Symbolic links inside a prefix tree are followed within the tree (an absolute
``/etc/resolv.conf -> /run/...`` link must not read the host's file).

Dry run
-------
A dry-run :class:`~ovirt_node.core.run.Runner` executes nothing and hands back empty output;
read as real output that would give wrong answers, so tool queries are skipped when the
runner says ``dry_run`` and the fields fall back exactly as if the tool were missing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
import socket
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from ovirt_node.core import cmdline, netroot
from ovirt_node.core.bootstate import read_state, summary
from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Result, run
from ovirt_node.system.machine.model import Machine, Nic

log = logging.getLogger(__name__)

UNKNOWN = "unknown"
NOT_AVAILABLE = "not available"

#: Seconds a status query may take before it is given up (the UI is waiting for it).
QUERY_TIMEOUT = 10.0
#: How many links of bridge/bond masters to follow when a NIC has no address of its own.
_MAX_MASTER_HOPS = 3

_BOOTIF_MAC_RE = r"^(?:01-)?([0-9a-f]{2}(?:[-:][0-9a-f]{2}){5})$"


class CommandRunner(Protocol):
    """What the status functions need of a runner (``ovirt_node.core.run.Runner`` fits)."""

    def __call__(self, argv: Sequence[str], *, check: bool = ..., timeout: float | None = ...) -> Result: ...


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


class NicStatus:
    """The management NIC as the Status page shows it. A plain class, as the other results
    here are named tuples: a dataclass costs the first screen its generated methods' compiles."""

    __slots__ = ("name", "link", "ipv4", "ipv6", "mac", "addresses_on")

    def __init__(self, name: str, link: bool | None, ipv4: list[str] | None = None, ipv6: list[str] | None = None,
                 mac: str | None = None, addresses_on: str | None = None) -> None:
        self.name = name
        #: Carrier as the machine model knows it; None for a NIC the model does not know.
        self.link = link
        #: ``address/prefix`` strings; empty when unknown (prefix roots) or unconfigured.
        self.ipv4: list[str] = [] if ipv4 is None else ipv4
        self.ipv6: list[str] = [] if ipv6 is None else ipv6
        self.mac = mac
        #: The interface the addresses were read from when it is not `name` (its bridge or bond).
        self.addresses_on = addresses_on

    def _values(self) -> tuple[object, ...]:
        return (self.name, self.link, self.ipv4, self.ipv6, self.mac, self.addresses_on)

    def __eq__(self, other: object) -> bool:
        return type(other) is NicStatus and self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable lists inside, as before

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={v!r}" for n, v in zip(self.__slots__, self._values(), strict=True))
        return f"NicStatus({fields})"


class VirtStatus(NamedTuple):
    #: "vmx" (Intel VT-x), "svm" (AMD-V), or None when absent or not known by name.
    cpu_flag: str | None
    kvm_device: bool
    summary: str
    #: The CPU offers hardware virtualization (True with cpu_flag None: known from a profile only).
    hardware: bool = False


class HostKey(NamedTuple):
    #: As ssh-keygen names it: ED25519, ECDSA, RSA, DSA.
    type: str
    bits: int | None
    #: ``SHA256:…``, or "unknown" when the key file cannot be read.
    fingerprint: str
    #: The node path of the public key file.
    path: str


# --------------------------------------------------------------------------------------------
# Reading under the root
# --------------------------------------------------------------------------------------------


def _node_file(root: Root, path: str) -> Path:
    """The real path of node path `path`, following symbolic links inside a prefix tree."""
    return root.resolve(path)


def _read_text(root: Root, path: str) -> str | None:
    try:
        return _node_file(root, path).read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError) as exc:
        log.debug("status: cannot read %s under %s: %s", path, root, exc)
        return None


def _exists(root: Root, path: str) -> bool:
    try:
        return _node_file(root, path).exists()
    except (OSError, ValueError):
        return False


def _query(runner: CommandRunner, argv: Sequence[str]) -> str | None:
    """A read-only tool's stdout, or None (not installed, failed, timed out, dry run)."""
    if getattr(runner, "dry_run", False):
        log.debug("status: dry run, not asking %s", argv[0])
        return None
    try:
        return runner(argv, timeout=QUERY_TIMEOUT).stdout
    except CommandError as exc:
        log.debug("status: %s", exc)
        return None


# --------------------------------------------------------------------------------------------
# Host name, DNS, uptime
# --------------------------------------------------------------------------------------------


def _content_lines(text: str | None) -> list[str]:
    """Stripped lines that are neither empty nor comments (# or ;)."""
    lines = (line.strip() for line in (text or "").splitlines())
    return [line for line in lines if line and not line.startswith(("#", ";"))]


def hostname(root: Root, machine: Machine) -> str:
    """/etc/hostname under the root; else the running host name on `/`; else the machine's name."""
    lines = _content_lines(_read_text(root, "/etc/hostname"))
    if lines:
        return lines[0]
    if root.is_host:
        try:
            return socket.gethostname() or UNKNOWN
        except OSError:
            return UNKNOWN
    # probe() names a machine after its host name; a profile's name is what the demo shows
    return machine.name or UNKNOWN


def dns_servers(root: Root) -> list[str]:
    """The nameserver entries of /etc/resolv.conf under the root, in file order."""
    servers: list[str] = []
    for line in _content_lines(_read_text(root, "/etc/resolv.conf")):
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            servers.append(fields[1])
    return servers


def root_storage(root: Root) -> str:
    """Where the node's image slot lives: an iSCSI LUN (with its session's state), the
    installed node's disk, or the boot media."""
    text = _read_text(root, "/proc/cmdline")
    if text is None:
        return "unknown (/proc/cmdline cannot be read)"
    args = cmdline.parse(text)
    iscsi = netroot.from_args(args)
    if iscsi is not None:
        return f"{iscsi.describe()}, {_iscsi_session_state(root, iscsi.target)}"
    lv = args.get("rd.lvm.lv")
    return f"local disk ({lv})" if lv else "boot media (not installed)"


def root_on_iscsi(root: Root) -> bool:
    """Whether the node runs from an iSCSI LUN (the Status page then names it)."""
    text = _read_text(root, "/proc/cmdline")
    return text is not None and netroot.from_args(cmdline.parse(text)) is not None


def _iscsi_session_state(root: Root, target: str) -> str:
    """The kernel's state of the session to `target` (LOGGED_IN, FAILED, ...)."""
    sessions = _node_file(root, "/sys/class/iscsi_session")
    try:
        entries = sorted(sessions.iterdir())
    except OSError:
        return "no session"
    for session in entries:
        if (_read_text(root, f"/sys/class/iscsi_session/{session.name}/targetname") or "").strip() == target:
            state = (_read_text(root, f"/sys/class/iscsi_session/{session.name}/state") or "unknown").strip()
            return "logged in" if state == "LOGGED_IN" else f"session {state.lower()}"
    return "no session"


def format_duration(seconds: float) -> str:
    """``3 days, 4:05`` / ``1 day, 0:00`` / ``4:05`` (hours:minutes)."""
    total = int(seconds)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    clock = f"{hours}:{rest // 60:02d}"
    if days == 0:
        return clock
    return f"{days} day{'s' if days != 1 else ''}, {clock}"


def uptime(root: Root) -> str:
    """Time since boot from /proc/uptime under the root; "unknown" if missing or garbled."""
    fields = (_read_text(root, "/proc/uptime") or "").split()
    try:
        seconds = float(fields[0])
    except (IndexError, ValueError):
        return UNKNOWN
    if not seconds >= 0 or seconds == float("inf"):
        return UNKNOWN
    return format_duration(seconds)


def boot_health(root: Root) -> tuple[str, str]:
    """The Status page's Boot line (the slot, and how it came up) and Health line (what
    failed, or that every check passed), from the health checks' record (core/bootstate.py)."""
    state = read_state(root)
    lines = summary(state)
    if state is None:
        return lines[0], "not checked yet"
    checks = state.get("checks", [])
    return lines[0], "; ".join(lines[1:]) or f"all {len(checks)} checks passed"


# --------------------------------------------------------------------------------------------
# The management NIC
# --------------------------------------------------------------------------------------------


def _bootif_mac(bootif: str) -> str | None:
    """The MAC address of a PXE-style BOOTIF (``01-52-54-00-…``) or a plain MAC, lower case."""
    match = re.match(_BOOTIF_MAC_RE, bootif.strip().lower())
    return match.group(1).replace("-", ":") if match else None


def _pick_nic(machine: Machine, bootif: str | None) -> Nic | str | None:
    """The NIC to show, or the bare bootif name when the machine does not know it."""
    if bootif and bootif.strip():
        wanted = bootif.strip()
        by_name = machine.nic(wanted)
        if by_name is not None:
            return by_name
        mac = _bootif_mac(wanted)
        if mac is not None:
            by_mac = next((nic for nic in machine.nics if nic.mac == mac), None)
            if by_mac is not None:
                return by_mac
        return wanted
    physical = machine.physical_nics()
    return next((nic for nic in physical if nic.link), physical[0] if physical else None)


def _ip_addr(runner: CommandRunner, name: str) -> dict[str, Any] | None:
    """The `ip -j addr show dev NAME` object of one interface."""
    out = _query(runner, ["ip", "-j", "addr", "show", "dev", name])
    if out is None:
        return None
    try:
        data: Any = json.loads(out)
    except ValueError:
        log.debug("status: ip -j gave no JSON for %s", name)
        return None
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return data[0]
    return None


def _addresses(info: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    ipv4: list[str] = []
    ipv6: list[str] = []
    for addr in info.get("addr_info") or ():
        if not isinstance(addr, dict) or not addr.get("local"):
            continue
        text = f"{addr['local']}/{addr['prefixlen']}" if "prefixlen" in addr else str(addr["local"])
        if addr.get("family") == "inet":
            ipv4.append(text)
        elif addr.get("family") == "inet6":
            ipv6.append(text)
    return ipv4, ipv6


def management_nic(
    root: Root, machine: Machine, defaults_bootif: str | None, runner: CommandRunner = run
) -> NicStatus | None:
    """The NIC named by OVIRT_BOOTIF (by name, or by MAC for a PXE ``01-aa-bb-…`` value), else
    the first physical NIC with link, else the first physical NIC; None if there is none.

    Addresses are asked of ``ip -j addr`` on the host only.  A NIC without addresses that is
    enslaved to a bridge or bond (the management bridge) shows its master's addresses and names
    it in ``addresses_on``.
    """
    picked = _pick_nic(machine, defaults_bootif)
    if picked is None:
        return None
    nic = picked if isinstance(picked, Nic) else None
    name = picked.name if isinstance(picked, Nic) else picked
    link: bool | None = nic.link if nic else None
    mac: str | None = nic.mac if nic else None
    if not root.is_host:
        return NicStatus(name, link, [], [], mac)
    info = _ip_addr(runner, name)
    if info is None:
        return NicStatus(name, link, [], [], mac)
    if nic is None:
        # not in the machine model: take what the kernel says
        flags = info.get("flags") or ()
        link = "LOWER_UP" in flags
        mac = str(info["address"]) if info.get("address") else None
    ipv4, ipv6 = _addresses(info)
    addresses_on: str | None = None
    seen = {name}
    hops = 0
    while not ipv4 and not ipv6 and info.get("master") and hops < _MAX_MASTER_HOPS:
        master = str(info["master"])
        if master in seen:
            break
        seen.add(master)
        hops += 1
        upper = _ip_addr(runner, master)
        if upper is None:
            break
        info = upper
        ipv4, ipv6 = _addresses(info)
        addresses_on = master
    return NicStatus(name, link, ipv4, ipv6, mac, addresses_on if (ipv4 or ipv6) else None)


def network_configured(
    root: Root, machine: Machine, interfaces: str, bootif: str | None, runner: CommandRunner = run
) -> bool:
    """Whether the node has a network to reach remote servers over (3.x disabled the remote
    logging, kdump and NFS fields otherwise), from the network model the Network page shows:
    `interfaces` (the connections read back from the keyfiles, `network.interfaces`) give the
    management interface (OVIRT_BOOTIF first) an address. On the host, addresses configured
    some other way count too, unless only link-local."""
    from ovirt_node.network.model import network_from_text, stack_of

    try:
        stack = stack_of(network_from_text(interfaces), bootif or "")
    except ValueError as exc:
        log.debug("status: the network connections cannot be read: %s", exc)
    else:
        if stack.bootproto != "none" or stack.ipv6 != "none":
            return True
    nic = management_nic(root, machine, bootif, runner)
    if nic is None:
        return False
    return any(not a.lower().startswith("fe80:") for a in nic.ipv4 + nic.ipv6)


# --------------------------------------------------------------------------------------------
# Logging
# --------------------------------------------------------------------------------------------


def _host_port(host: str, port: str) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def logging_destinations(values: Mapping[str, str]) -> str:
    """Where logs go, from the engine values: "Local only" or the remote destinations."""
    parts: list[str] = []
    server = (values.get("logging.rsyslog.server") or "").strip()
    if server:
        port = (values.get("logging.rsyslog.port") or "").strip() or "514"
        protocol = (values.get("logging.rsyslog.protocol") or "").strip() or "udp"
        parts.append(f"rsyslog {_host_port(server, port)} ({protocol})")
    server = (values.get("logging.netconsole.server") or "").strip()
    if server:
        port = (values.get("logging.netconsole.port") or "").strip() or "6666"
        parts.append(f"netconsole {_host_port(server, port)}")
    return ", ".join(parts) if parts else "Local only"


# --------------------------------------------------------------------------------------------
# CPU and virtualization
# --------------------------------------------------------------------------------------------


class _CpuInfo(NamedTuple):
    model: str | None
    processors: int
    #: The first processor's flags; None when the file has no flags line (or is missing).
    flags: frozenset[str] | None


def _cpuinfo(root: Root) -> _CpuInfo | None:
    text = _read_text(root, "/proc/cpuinfo")
    if text is None:
        return None
    model: str | None = None
    count = 0
    flags: frozenset[str] | None = None
    for line in text.splitlines():
        key, found, value = line.partition(":")
        if not found:
            continue
        key, value = key.strip(), value.strip()
        if key == "processor":
            count += 1
        elif key in ("model name", "cpu model") and model is None and value:
            model = value
        elif key == "flags" and flags is None:
            flags = frozenset(value.split())
    return _CpuInfo(model, count, flags)


def _virt_flag(flags: frozenset[str]) -> str | None:
    for flag in ("vmx", "svm"):
        if flag in flags:
            return flag
    return None


def _flag_for_model(model: str) -> str | None:
    """The virtualization flag name a CPU of this vendor would have (profiles name no flags)."""
    lowered = model.lower()
    if "intel" in lowered:
        return "vmx"
    if "amd" in lowered:
        return "svm"
    return None


def virtualization(root: Root, machine: Machine) -> VirtStatus:
    """vmx/svm from /proc/cpuinfo under the root (the profile's virt_hw without it), and /dev/kvm."""
    info = _cpuinfo(root)
    if info is not None and info.flags is not None:
        flag = _virt_flag(info.flags)
        hardware = flag is not None
    else:
        hardware = machine.virt_hw
        flag = _flag_for_model(machine.cpu_model) if hardware else None
    kvm = _exists(root, "/dev/kvm")
    if hardware:
        first = f"Hardware virtualization available ({flag})" if flag else "Hardware virtualization available"
    else:
        first = "Hardware virtualization not enabled in firmware or not supported"
    second = "/dev/kvm present" if kvm else "/dev/kvm missing (kvm module not loaded)"
    return VirtStatus(flag, kvm, f"{first}, {second}", hardware)


def cpu_details(root: Root, runner: CommandRunner = run, machine: Machine | None = None) -> str:
    """``lscpu`` on the host; otherwise (or if lscpu fails) a summary from /proc/cpuinfo under
    the root, or from the machine profile."""
    if root.is_host:
        out = _query(runner, ["lscpu"])
        if out and out.strip():
            return out.rstrip()
    info = _cpuinfo(root)
    if info is not None and (info.model or info.processors):
        model = info.model or UNKNOWN
        cpus = str(info.processors) if info.processors else UNKNOWN
        if info.flags is not None:
            flag = _virt_flag(info.flags) or NOT_AVAILABLE
        elif machine is not None:
            flag = (_flag_for_model(machine.cpu_model) or "available") if machine.virt_hw else NOT_AVAILABLE
        else:
            flag = UNKNOWN
    elif machine is not None:
        model, cpus = machine.cpu_model, str(machine.cpus)
        flag = (_flag_for_model(machine.cpu_model) or "available") if machine.virt_hw else NOT_AVAILABLE
    else:
        return f"CPU details {NOT_AVAILABLE}"
    return f"Model: {model}\nCPUs: {cpus}\nVirtualization: {flag}"


# --------------------------------------------------------------------------------------------
# SSH host keys
# --------------------------------------------------------------------------------------------

_KEY_TYPES = {"ssh-ed25519": "ED25519", "ssh-rsa": "RSA", "ssh-dss": "DSA"}


def _wire_strings(blob: bytes, count: int) -> list[bytes]:
    """The first `count` length-prefixed strings of an SSH wire-format blob."""
    items: list[bytes] = []
    offset = 0
    for _ in range(count):
        if offset + 4 > len(blob):
            raise ValueError("truncated key blob")
        (length,) = struct.unpack(">I", blob[offset : offset + 4])
        offset += 4
        if offset + length > len(blob):
            raise ValueError("truncated key blob")
        items.append(blob[offset : offset + length])
        offset += length
    return items


def _key_from_file(text: str, path: str) -> HostKey | None:
    """Type, size and SHA256 fingerprint of an OpenSSH public key line, without ssh-keygen."""
    fields = text.split()
    if len(fields) < 2:
        return None
    try:
        blob = base64.b64decode(fields[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    algorithm = fields[0]
    bits: int | None = None
    kind = _KEY_TYPES.get(algorithm, algorithm.upper())
    try:
        if algorithm == "ssh-ed25519":
            bits = 256
        elif algorithm.startswith("ecdsa-sha2-nistp"):
            kind = "ECDSA"
            bits = int(algorithm.removeprefix("ecdsa-sha2-nistp"))
        elif algorithm == "ssh-rsa":
            # string "ssh-rsa", mpint e, mpint n
            bits = int.from_bytes(_wire_strings(blob, 3)[2], "big").bit_length()
        elif algorithm == "ssh-dss":
            # string "ssh-dss", mpint p, …
            bits = int.from_bytes(_wire_strings(blob, 2)[1], "big").bit_length()
    except ValueError:
        bits = None
    return HostKey(kind, bits, f"SHA256:{digest}", path)


def _parse_keygen(out: str | None, path: str) -> HostKey | None:
    """``256 SHA256:… comment (ED25519)`` → HostKey."""
    fields = (out or "").split()
    if len(fields) < 3 or not fields[0].isdigit() or not fields[-1].startswith("("):
        return None
    return HostKey(fields[-1].strip("()"), int(fields[0]), fields[1], path)


def _type_from_name(name: str) -> str:
    # ssh_host_ed25519_key.pub → ED25519
    return name.removeprefix("ssh_host_").removesuffix("_key.pub").upper() or UNKNOWN


def ssh_host_keys(root: Root, runner: CommandRunner = run) -> list[HostKey]:
    """Each /etc/ssh/ssh_host_*_key.pub under the root, fingerprinted by ``ssh-keygen -l``.

    Without a working ssh-keygen the SHA256 fingerprint is computed here from the key file; a
    file that is not a public key gets the fingerprint "unknown".
    """
    try:
        folder = _node_file(root, "/etc/ssh")
        files = sorted(p for p in folder.glob("ssh_host_*_key.pub") if p.is_file())
    except OSError as exc:
        log.debug("status: cannot list /etc/ssh under %s: %s", root, exc)
        return []
    keys: list[HostKey] = []
    for real in files:
        node_path = f"/etc/ssh/{real.name}"
        key = _parse_keygen(_query(runner, ["ssh-keygen", "-l", "-f", str(real)]), node_path)
        if key is None:
            text = _read_text(root, node_path)
            key = _key_from_file(text, node_path) if text is not None else None
        keys.append(key or HostKey(_type_from_name(real.name), None, UNKNOWN, node_path))
    return keys
