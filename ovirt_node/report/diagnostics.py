"""Diagnostic output for the operator: the node's logs, the journal, kernel messages and
the inspection tools of the Diagnostics page (block devices, LVM, network, failed units).

Every command runs with a timeout, and a missing tool or a failure becomes a sentence in the
output ("dmesg is not installed on this node") rather than an exception: a viewer must
always have something to show. Under a root prefix only what lies under the root is read:
the tools describe the running system, so there they are not run (they would describe the
computer the demo or the installer runs on, not the node tree) and say so instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner, run

NODE_LOG_DIR = "/var/log/ovirt-node"
#: A viewer shows the end of a long log; the support bundle takes whole files.
TAIL_LINES = 5000
#: Seconds one inspection tool may take (multipath or LVM on a hung SAN path can block).
TOOL_TIMEOUT = 20


def capture(argv: Sequence[str], runner: Runner = run, timeout: float = 30) -> str:
    """stdout (then stderr) of `argv`, or a sentence saying why there is none."""
    if shutil.which(argv[0]) is None:
        return f"{argv[0]} is not installed on this node."
    try:
        result = runner(argv, check=False, timeout=timeout)
    except CommandError as exc:
        return f"{' '.join(argv)}: {exc}"
    text = result.stdout
    if result.stderr.strip():
        text = f"{text}\n{result.stderr}" if text else result.stderr
    if not result.ok:
        text += f"\n({argv[0]} exited with status {result.returncode})"
    return text or "(no output)"


def node_logs(root: Root) -> list[Path]:
    """The node's own log files (current and rotated), newest name first within a log."""
    folder = root(NODE_LOG_DIR)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and ".log" in p.name), key=lambda p: p.name)


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) if kept else "(empty)"


def journal(root: Root, runner: Runner = run) -> str:
    """This boot's journal on the node; under a root prefix, the journal files under it."""
    if root.is_host:
        return capture(["journalctl", "-b", "--no-pager", "-o", "short-iso", "-n", str(TAIL_LINES)], runner)
    folder = root("/var/log/journal")
    if not folder.is_dir():
        return f"No journal under {root}: the node's journal is only on the node itself."
    return capture(["journalctl", "-D", str(folder), "--no-pager", "-o", "short-iso", "-n", str(TAIL_LINES)],
                   runner)


def kernel_messages(root: Root, runner: Runner = run) -> str:
    return run_tool(DMESG, root, runner)


@dataclass(frozen=True)
class Tool:
    """One row of the Diagnostics page. `commands` all run, one after the other; with
    `first_found` only the first whose program is installed does (alternatives). With
    `per_nic` each command runs once per network interface, the name appended."""

    name: str  # file name in the support bundle
    title: str
    shows: str  # the command as the operator knows it
    commands: tuple[tuple[str, ...], ...]
    first_found: bool = False
    per_nic: bool = False

    @property
    def programs(self) -> list[str]:
        return list(dict.fromkeys(argv[0] for argv in self.commands))

    def installed(self) -> bool:
        return any(shutil.which(program) for program in self.programs)


DMESG = Tool("dmesg", "Kernel messages", "dmesg", (("dmesg", "--ctime"),))
TOOLS: tuple[Tool, ...] = (
    Tool("lsblk", "Block devices", "lsblk",
         (("lsblk", "-o", "NAME,MAJ:MIN,SIZE,TYPE,FSTYPE,LABEL,MOUNTPOINT,MODEL"),)),
    Tool("partitions", "Partitions", "sfdisk/parted -l",
         (("sfdisk", "-l"), ("parted", "-s", "-l")), first_found=True),
    Tool("multipath", "Multipath", "multipath -ll", (("multipath", "-ll"),)),
    Tool("lvm", "LVM", "pvs, vgs, lvs", (("pvs",), ("vgs",), ("lvs", "-a"))),
    Tool("ip-addr", "Addresses", "ip -d addr", (("ip", "-d", "addr"),)),
    Tool("ip-route", "Routes", "ip route", (("ip", "route"), ("ip", "-6", "route"))),
    Tool("nmcli", "Network devices", "nmcli device", (("nmcli", "device"),)),
    Tool("ethtool", "NIC details", "ethtool (each NIC)", (("ethtool",), ("ethtool", "-i")), per_nic=True),
    DMESG,
    Tool("failed-units", "Failed units", "systemctl --failed", (("systemctl", "--failed", "--no-pager"),)),
)


def host_nics(root: Root) -> list[str]:
    """Network interfaces of the running system, loopback left out."""
    folder = root("/sys/class/net")
    try:
        return sorted(p.name for p in folder.iterdir() if p.name != "lo")
    except OSError:
        return []


def host_only(tool: Tool, root: Root) -> str:
    return (f"{tool.shows} describes the running system, so it is not run under the root prefix {root} "
            "(it would show this computer, not the node tree). On the node itself it shows the node's "
            f"{tool.title.lower()}.")


def run_tool(tool: Tool, root: Root, runner: Runner = run, live: bool | None = None) -> str:
    """The tool's output as the viewer and the support bundle show it. `live` (default: the
    root is `/`) says whether the running system is the node, so the tool may run."""
    if not (root.is_host if live is None else live):
        return host_only(tool, root)
    commands = list(tool.commands)
    if tool.first_found:
        commands = [next((c for c in commands if shutil.which(c[0])), commands[0])]
    if tool.per_nic:
        nics = host_nics(root)
        if not nics:
            return "No network interfaces found."
        commands = [(*argv, nic) for nic in nics for argv in commands]
    if len(commands) == 1:
        return capture(commands[0], runner, TOOL_TIMEOUT)
    return "\n\n".join(f"$ {' '.join(argv)}\n{capture(argv, runner, TOOL_TIMEOUT)}" for argv in commands)
