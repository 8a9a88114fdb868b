"""The node's virtual machines as libvirt counts them, for the Status page.

Asked with `virsh -r` (read only) on `qemu:///system`: the node image has libvirt's client but
no python bindings. Two listings: every domain libvirt knows (`list --all`, "defined") and the
active ones (`list`, running or paused: those a power-off stops). When libvirt cannot be asked
(virsh missing, libvirtd not running, a timeout) the count is unknown and says why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.core.run import CommandError, Result, run

log = logging.getLogger(__name__)

LIBVIRT_URI = "qemu:///system"
#: Seconds each virsh call may take: the Status page waits for it (in a worker).
QUERY_TIMEOUT = 10.0


class CommandRunner(Protocol):
    def __call__(self, argv: Sequence[str], *, check: bool = ..., timeout: float | None = ...) -> Result: ...


class VmCount(NamedTuple):
    #: Active domains (running or paused); None when libvirt could not be asked.
    running: int | None
    #: Every domain libvirt lists (persistent ones shut off included); None with `running`.
    defined: int | None
    #: Why the counts are unknown; empty when known.
    reason: str = ""

    @property
    def known(self) -> bool:
        return self.running is not None

    def summary(self) -> str:
        """`1 (2 defined)`, or `unknown (why)`."""
        if self.running is None:
            return f"unknown ({self.reason})"
        return f"{self.running} ({self.defined} defined)"


def unknown(reason: str) -> VmCount:
    return VmCount(None, None, reason)


def _why(exc: CommandError, virsh: str) -> str:
    if exc.returncode == 127:
        return f"{virsh} is not installed"
    if exc.returncode == 124:
        return f"libvirt did not answer within {QUERY_TIMEOUT:g} s"
    # virsh's last line is the cause ("Failed to connect socket to ..."), the first the symptom
    lines = [line.strip() for line in exc.stderr.splitlines() if line.strip()]
    detail = lines[-1].removeprefix("error: ") if lines else f"{virsh} exited with {exc.returncode}"
    return f"libvirt: {detail}"


def _names(runner: CommandRunner, virsh: str, uri: str, *options: str) -> list[str]:
    out = runner([virsh, "-r", "-c", uri, "list", *options, "--name"], timeout=QUERY_TIMEOUT).stdout
    return [line for line in out.splitlines() if line.strip()]


def count_vms(runner: CommandRunner = run, uri: str = LIBVIRT_URI, virsh: str = "virsh") -> VmCount:
    """The active and defined domains on `uri`; never raises. Describes the running host only."""
    if getattr(runner, "dry_run", False):
        # a dry-run runner answers with empty output, which would read as "no VMs"
        return unknown("dry run: libvirt not asked")
    try:
        defined = _names(runner, virsh, uri, "--all")
        active = _names(runner, virsh, uri)
    except CommandError as exc:
        log.info("status: cannot count the VMs on %s: %s", uri, exc)
        return unknown(_why(exc, virsh))
    return VmCount(len(active), len(defined))
