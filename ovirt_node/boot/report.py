"""The boot's lifecycle event (`ovirt-node-boot report`, ovirt-node-boot-report.service): sent
once the network is online, after `late`, so that waiting for a server never keeps the login
prompts away; the event also carries what the spool kept from earlier events.

Phase `firstboot` for the first boot of an installation, `boot` for the others; result
`failed` when `late` reported failures (kernel arguments, on-boot hooks), else `succeeded`.
A media boot is not reported here: its installer reports for itself.
"""

from __future__ import annotations

import json
import logging

from ovirt_node.boot.decision import Mode
from ovirt_node.boot.early import LATE_FILE, read_plan
from ovirt_node.core.root import Root
from ovirt_node.report.lifecycle import send_event

log = logging.getLogger(__name__)

REPORTED_MODES = (Mode.FIRSTBOOT, Mode.NORMAL, Mode.STATELESS)
#: Made by the first boot of an installation, on its Logging volume: an install or reinstall
#: makes a new volume (its next boot is a first boot again), an upgrade keeps it. A node
#: installed with settings (adminpw=, ...) boots "normal", not "firstboot": this tells its
#: first boot apart all the same.
BOOTED_MARK = "/var/log/ovirt-node/booted"
#: How long the boot's event waits for a route to the server: network-online.target means
#: NetworkManager finished starting, which its wait gives up on after a timeout (a slow DHCP
#: lease), or reaches with no connection up. The unit's TimeoutStartSec leaves room for it
#: and for the three tries after it.
ROUTE_WAIT = 90.0


def report_boot(root: Root) -> str:
    """Send the boot's event; what send_event returned ("skipped" for a media boot, "failed"
    without a boot plan)."""
    try:
        plan = read_plan(root)
    except (OSError, ValueError, KeyError, TypeError) as exc:  # a report never fails the boot
        log.error("no boot report: the boot plan cannot be read: %s", exc)
        return "failed"
    if plan.mode not in REPORTED_MODES:
        return "skipped"
    try:
        failures = [str(f) for f in json.loads(root(LATE_FILE).read_text())["failures"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        failures = [f"the boot's result cannot be read ({exc}): did ovirt-node-boot late run?"]
    mark = root(BOOTED_MARK)
    phase = "firstboot" if plan.mode is Mode.FIRSTBOOT or not mark.exists() else "boot"
    detail = f"{plan.mode}: {plan.reason}" + "".join(f"; {failure}" for failure in failures)
    result = "failed" if failures else "succeeded"
    sent = send_event(root, phase, result, detail, log_excerpt="\n".join(failures), route_wait=ROUTE_WAIT)
    # One line in the unit's journal whatever happened ("off": no lifecycle.report_url set).
    print(f"ovirt-node: lifecycle report {phase} {result}: {sent}", flush=True)
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    except OSError as exc:
        log.error("marking the first boot done: %s", exc)
    return sent
