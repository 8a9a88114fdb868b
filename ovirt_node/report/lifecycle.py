"""Lifecycle reports: one JSON event POSTed to `lifecycle.report_url` per step of the node's life.

    send_event(root, phase, result, detail, log=..., kernel_args=...)

is the one entry point. The installer (phase `install`: started, succeeded, failed, refused),
`ovirt-node-boot late` (`firstboot` or `boot`), `ovirt-node-upgrade` (`upgrade`, `rollback`) call
it; the boot health checks call it with phase `health` and their verdict as the result.

A report never fails the operation it reports on: every error is caught and logged with its
reason. An event that cannot be delivered (after a few tries with a growing pause) is appended
to a spool file and sent, oldest first, before the next event (the next boot sends one). The
spool lives on /var/log, which is the node's Logging volume: it survives a reboot. It keeps the
newest SPOOL_MAX events; older ones are dropped (and the drop logged).

The node is named by its SMBIOS system UUID: unlike /etc/machine-id, which the live installer
makes up at each boot and a reinstall replaces, it is the same for the installer's events and
the installed node's, across reinstalls, and it is what inventories (and oVirt's engine) already
know the machine by. Where firmware gives none (no DMI), the machine-id stands in, and
`node_id_source` says which one it is.
"""

from __future__ import annotations

import fcntl
import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ovirt_node import __version__
from ovirt_node.areas.lifecycle import KERNEL_ARG, OVIRT_NAME, REPORT_URL
from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.context import Context
from ovirt_node.core.root import Root
from ovirt_node.report.redact import redact
from ovirt_node.report.route import wait_for_route

log = logging.getLogger(__name__)

SPOOL = "/var/log/ovirt-node/lifecycle-spool.jsonl"
SPOOL_MAX = 50
#: Seconds per POST; the pauses before the second and third try.
TIMEOUT = 5.0
BACKOFF = (1.0, 3.0)
LOG_LINES = 40
LINE_CHARS = 400
SMBIOS_UUID = "/sys/class/dmi/id/product_uuid"
MACHINE_ID = "/etc/machine-id"
#: Placeholders firmware writes when it has no real UUID.
_NO_UUID = {"", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"}


def send_event(root: Root, phase: str, result: str, detail: str = "", *, log_excerpt: str | Path | None = None,
               kernel_args: KernelArgs | None = None, spool_to: Root | None = None,
               route_wait: float = 0.0) -> str:
    """Report `phase` ended (or started) with `result`, `detail` a sentence about it and
    `log_excerpt` a log file (its last lines are sent) or text. The URL is `report_url=` of
    `kernel_args` when given (the installer, before the node has settings), else the node's
    `lifecycle.report_url`. What cannot be delivered waits in the spool under `spool_to`
    (default `root`; the installer names the node it wrote, whose first boot sends it), the
    events queued under `root` with it. `route_wait`: seconds to wait first for a route to the
    server (the boot's event: its network may still be coming up). Returns "off" (no URL),
    "sent" (this event and the spool), "spooled", or "failed" (an unexpected error, logged);
    never raises."""
    try:
        url = _url(root, kernel_args)
        if not url:
            return "off"
        event = _event(root, phase, result, detail, log_excerpt)
        if route_wait > 0:
            wait_for_route(url, route_wait)  # no route in time: the tries below fail and spool it
        return _deliver(root, url, event, spool_to)
    except Exception:  # a report must never fail what it reports on
        log.exception("lifecycle report (%s %s) not sent", phase, result)
        return "failed"


def _url(root: Root, kernel_args: KernelArgs | None) -> str:
    candidates = []
    if kernel_args is not None and kernel_args.has(KERNEL_ARG):
        candidates.append(("kernel argument " + KERNEL_ARG, kernel_args.get(KERNEL_ARG) or ""))
    if root("/etc/default/ovirt").exists():
        candidates.append((OVIRT_NAME, Context(root=root).defaults.get(OVIRT_NAME) or ""))
    for where, value in candidates:
        problem = REPORT_URL.check(value)
        if problem:
            log.warning("lifecycle report: %s is not used: %s", where, problem)
            continue
        if value:
            return value
    return ""


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return ""


def node_identity(root: Root) -> dict[str, str]:
    uuid = _read(root(SMBIOS_UUID)).lower()
    machine_id = _read(root(MACHINE_ID))
    if uuid not in _NO_UUID:
        return {"node_id": uuid, "node_id_source": "smbios-uuid", "machine_id": machine_id}
    if machine_id:
        return {"node_id": machine_id, "node_id_source": "machine-id", "machine_id": machine_id}
    return {"node_id": "unknown", "node_id_source": "none", "machine_id": ""}


def _excerpt(source: str | Path | None) -> list[str]:
    if source is None:
        return []
    text = _tail(source) if isinstance(source, Path) else source
    lines = [line[:LINE_CHARS] for line in text.splitlines()[-LOG_LINES:]]
    return redact("\n".join(lines))[0].splitlines()


def _tail(path: Path) -> str:
    """The end of a log file (read from near its end: a log can be large)."""
    try:
        with path.open("rb") as file:
            size = file.seek(0, 2)
            file.seek(max(0, size - LOG_LINES * LINE_CHARS))
            return file.read().decode(errors="replace")
    except OSError as exc:
        return f"({path}: {exc.strerror})"


def _event(root: Root, phase: str, result: str, detail: str, log_excerpt: str | Path | None) -> dict[str, Any]:
    return {
        **node_identity(root),
        "hostname": _read(root("/etc/hostname")),
        "version": __version__,
        "phase": phase,
        "result": result,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "detail": redact(detail)[0],
        "log": _excerpt(log_excerpt),
    }


def _deliver(root: Root, url: str, event: dict[str, Any], spool_to: Root | None) -> str:
    """The spool's events, then this one, in order; what is left (from the first that could not
    be delivered) goes back to the spool, or after what `spool_to`'s spool holds."""
    shown = redact(url)[0]
    with _spool_locked(root) as spool:
        pending = [*_load(spool), event]
        sent = 0
        for item in pending:
            problem = _post(url, item)
            if problem:
                where = spool if spool_to is None else spool_to(SPOOL)
                if where != spool:
                    where.parent.mkdir(parents=True, exist_ok=True)
                    left = _store(where, [*_load(where), *pending[sent:]])
                    _store(spool, [])
                else:
                    left = _store(spool, pending[sent:])
                log.warning("lifecycle report to %s failed (%s): %d event(s) spooled in %s", shown, problem,
                            left, where)
                return "spooled"
            sent += 1
        _store(spool, [])
    log.info("lifecycle report %s %s sent to %s (%d queued before it)", event["phase"], event["result"],
             shown, sent - 1)
    return "sent"


def _post(url: str, event: dict[str, Any]) -> str:
    """POST one event, with retries; "" when delivered, else why not."""
    body = json.dumps(event).encode()
    problem = ""
    for attempt in range(len(BACKOFF) + 1):
        if attempt:
            time.sleep(BACKOFF[attempt - 1])
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "User-Agent": f"ovirt-node/{__version__}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (http/https only)
                if 200 <= response.status < 300:
                    return ""
                problem = f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code} {exc.reason}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            problem = str(getattr(exc, "reason", exc))
        log.info("lifecycle report: try %d of %d failed: %s", attempt + 1, len(BACKOFF) + 1, problem)
    return problem


@contextmanager
def _spool_locked(root: Root) -> Iterator[Path]:
    """The spool file, locked against another event being sent at the same time."""
    spool = root(SPOOL)
    spool.parent.mkdir(parents=True, exist_ok=True)
    with open(spool.with_name(spool.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield spool


def _load(spool: Path) -> list[dict[str, Any]]:
    events = []
    for line in _read(spool).splitlines():
        try:
            item = json.loads(line)
        except ValueError:
            log.warning("lifecycle report: a damaged line of %s dropped", SPOOL)
            continue
        if isinstance(item, dict):
            events.append(item)
    return events


def _store(spool: Path, events: list[dict[str, Any]]) -> int:
    """Keep the newest SPOOL_MAX events (by rename: a crash leaves the old spool or the new)."""
    if len(events) > SPOOL_MAX:
        log.warning("lifecycle report: spool full, the %d oldest event(s) dropped", len(events) - SPOOL_MAX)
        events = events[-SPOOL_MAX:]
    if not events:
        spool.unlink(missing_ok=True)
        return 0
    new = spool.with_name(spool.name + ".new")
    new.write_text("".join(json.dumps(e) + "\n" for e in events))
    new.chmod(0o600)
    new.replace(spool)
    return len(events)
