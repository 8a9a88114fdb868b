"""`ovirt-node-boot health`: the node's health checks after a boot, and what they decide.

A check is an executable in /usr/lib/ovirt-node/health.d/ (ours, and what plugins ship) or
/etc/ovirt-node/health.d/ (local ones; a file there replaces the one of the same name in
/usr/lib, a symlink to /dev/null switches it off). They all run at once, each with its own
timeout; exit 0 passes. A line `# ovirt-node-health: wanted` in its first 2 KB makes a check
wanted (a failure only warns); every other check is required. On a trial boot a failing check
is tried again every RETRY seconds until the grace time (`grace=SECONDS` in
/etc/ovirt-node/health.conf, default 300) is over; on any other boot each runs once, niced.
ovirt-node-health.service is Type=exec, ordered after multi-user.target: the boot is finished
(`systemctl is-system-running`) while the checks still run.

Then, on a trial boot (installer/steps/trial.py): all required checks passed -> commit (the
running slot becomes grub's default); a required check failed -> the result is recorded and
the node reboots (grub's counter is 0: the old slot boots). A boot of the old slot with the
trial still named is a fallback: the trial is cleared and the record says why. On any other
boot a failure is only recorded. The record: core/bootstate.py.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ovirt_node.core import cmdline
from ovirt_node.core.bootstate import NETWORK_FILE, STATE_FILE, read_state, write_json
from ovirt_node.core.esp import ESP, esp_mounted
from ovirt_node.core.platform import Platform
from ovirt_node.core.root import Root
from ovirt_node.core.run import CommandError, Runner
from ovirt_node.installer.session import booted_slot
from ovirt_node.installer.steps.trial import (
    Pending,
    clear_trial_command,
    commit_command,
    read_grubenv,
)
from ovirt_node.report.lifecycle import send_event

log = logging.getLogger(__name__)

DIRS = ("/usr/lib/ovirt-node/health.d", "/etc/ovirt-node/health.d")
CONFIG = "/etc/ovirt-node/health.conf"
RELEASE_FILE = "/etc/ovirt-node/version"
DEFAULT_GRACE = 300
RETRY = 10
#: Per check: all run at once, on a small or emulated CPU a Python check can take minutes.
CHECK_TIMEOUT = 300
NICE = 10
#: The log kept per check in the state file (its tail: the end says what went wrong).
LOG_LIMIT = 4000
_MARK = re.compile(rb"^#\s*ovirt-node-health:\s*(required|wanted)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Check:
    name: str
    path: str
    required: bool


@dataclass
class Result:
    name: str
    required: bool
    passed: bool
    log: str
    tries: int


def discover(root: Root) -> list[Check]:
    """The checks, by name; /etc's replace /usr/lib's of the same name."""
    found: dict[str, Path] = {}
    for directory in DIRS:
        try:
            entries = sorted(Path(root(directory)).iterdir())
        except OSError:
            continue
        for entry in entries:
            found[entry.name] = entry
    checks = []
    for name, path in sorted(found.items()):
        if path.is_symlink() and os.readlink(path) == "/dev/null":
            continue  # masked
        if not (path.is_file() and os.access(path, os.X_OK)):
            log.warning("health check %s is not an executable file: skipped", path)
            continue
        with path.open("rb") as stream:
            mark = _MARK.search(stream.read(2048))
        checks.append(Check(name, str(path), mark is None or mark.group(1) == b"required"))
    return checks


def grace(root: Root) -> int:
    """Seconds the checks get to pass (health.conf's `grace=`; a bad value: the default)."""
    try:
        text = root(CONFIG).read_text(errors="replace")
    except OSError:
        return DEFAULT_GRACE
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "grace" and value.strip().isdigit():
            return int(value.strip())
    return DEFAULT_GRACE


def run_one(check: Check, runner: Runner, env: dict[str, str]) -> tuple[bool, str]:
    try:
        done = runner([check.path], check=False, timeout=CHECK_TIMEOUT, env=env)
    except CommandError as exc:
        return False, str(exc)
    output = (done.stdout + done.stderr).strip()
    return done.returncode == 0, f"{output}\n(exit {done.returncode})".strip()[-LOG_LIMIT:]


def run_checks(checks: list[Check], runner: Runner, env: dict[str, str], grace_s: float,
               sleep: Callable[[float], None] = time.sleep) -> list[Result]:
    """Every check at once, each in its own thread with its own timeout (CHECK_TIMEOUT): a
    slow check delays no other. A failing one is tried again every RETRY s until it passes or
    the grace is over; grace 0 means one try each."""
    deadline = time.monotonic() + grace_s

    def until_passed(check: Check) -> Result:
        result = Result(check.name, check.required, False, "", 0)
        while True:
            result.passed, result.log = run_one(check, runner, env)
            result.tries += 1
            if result.passed or time.monotonic() + RETRY > deadline:
                return result
            sleep(RETRY)

    if not checks:
        return []
    with ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="health") as pool:
        return list(pool.map(until_passed, checks))


def low_priority() -> None:
    """A boot that is not a trial runs its checks niced (their children inherit it): they only
    inform, so they yield to the node's own work, yet are not starved into their timeouts."""
    try:
        os.setpriority(os.PRIO_PROCESS, 0, NICE)
    except OSError as exc:
        log.warning("health checks: priority not lowered: %s", exc)


def _version(root: Root) -> str:
    fields = {}
    try:
        for line in root(RELEASE_FILE).read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip().strip("\"'")
    except OSError:
        return "?"
    return f"{fields.get('VERSION', '?')}-{fields.get('RELEASE', '?')}"


@dataclass(frozen=True)
class Decision:
    action: str  # "commit", "reboot", "clear" (a failed trial, we are the fallback), "none"
    result: str


def decide(slot: str, pending: Pending, failed_required: list[str]) -> Decision:
    """What the health of a boot of `slot` means, given the grubenv's trial (pure)."""
    entry = f"slot-{slot}"
    if pending.trial and pending.trial != entry:
        return Decision("clear", "fell back: the trial of " + pending.trial.removeprefix("slot-") + " failed")
    if pending.trial == entry:
        if failed_required:
            return Decision("reboot", f"trial failed ({', '.join(failed_required)}): rebooting into "
                                      f"{(pending.saved or '?').removeprefix('slot-')}")
        return Decision("commit", "healthy: committed, the default from now on")
    if failed_required:
        return Decision("none", f"unhealthy ({', '.join(failed_required)}); not a trial boot, so no fallback")
    return Decision("none", "healthy")


def health(root: Root, runner: Runner, platform: Platform, sleep: Callable[[float], None] = time.sleep,
           esp: str = ESP) -> dict[str, Any]:
    """Run the checks, record the result, and commit, clear or reboot as decided."""
    args = cmdline.read(root)
    slot = booted_slot(args)
    if slot is None:
        raise ValueError("not booted from a HostVG slot: nothing to check")
    with esp_mounted(root, runner, esp):
        pending = Pending.of(read_grubenv(platform, Path(root(esp))))
    previous = read_state(root)
    on_trial = pending.trial == f"slot-{slot}"
    env = {**os.environ, "OVIRT_NODE_SLOT": slot, "OVIRT_NODE_TRIAL": "1" if on_trial else "0"}
    # Only a trial waits for its checks (the grace): elsewhere a failure changes nothing, so
    # one try each says how the node is without holding anything up.
    if not on_trial and root.is_host:
        low_priority()
    results = run_checks(discover(root), runner, env, grace(root) if on_trial else 0, sleep)
    failed = [r.name for r in results if r.required and not r.passed]
    decision = decide(slot, pending, failed)
    state: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"), "slot": slot, "version": _version(root),
        "trial": on_trial, "fallback": decision.action == "clear",
        "result": decision.result, "checks": [asdict(r) for r in results], "failed_trial": None,
    }
    if decision.action == "clear":
        state["failed_trial"] = failed_trial(previous, pending)
    elif previous and previous.get("slot") == slot and not state["trial"]:
        state["failed_trial"] = previous.get("failed_trial")  # kept until the next upgrade
    write_json(root, STATE_FILE, state)
    report(root, state, results)
    grubenv = Path(root(esp))
    if decision.action in ("commit", "clear"):
        with esp_mounted(root, runner, esp):
            if decision.action == "commit":
                runner(commit_command(platform, grubenv, f"slot-{slot}"))
            else:
                runner(clear_trial_command(platform, grubenv))
        root(NETWORK_FILE).unlink(missing_ok=True)
    elif decision.action == "reboot":
        runner(["systemctl", "reboot"])
    return state


def report(root: Root, state: dict[str, Any], results: list[Result]) -> str:
    """The health verdict as a lifecycle event (phase `health`), sent before a reboot can cut
    it short: `ok` or `failed` (a required check), the failed checks' names and the running
    slot in the detail, their logs as the excerpt. send_event never raises."""
    failed = [r for r in results if r.required and not r.passed]
    detail = f"slot {state['slot']} ({state['version']}): {state['result']}"
    excerpt = "\n".join(f"--- {r.name} ---\n{r.log}" for r in failed)
    return send_event(root, "health", "failed" if failed else "ok", detail, log_excerpt=excerpt)


def failed_trial(previous: dict[str, Any] | None, pending: Pending) -> dict[str, Any]:
    """What is known of the trial this fallback boot follows: its own record when it got as
    far as its checks, else that it never did (a panic, a hang, no root)."""
    trial = (pending.trial or "").removeprefix("slot-")
    if previous and previous.get("slot") == trial and previous.get("trial"):
        failed = [c for c in previous.get("checks", []) if c.get("required") and not c.get("passed")]
        names = ", ".join(c.get("name", "?") for c in failed) or "?"
        return {"slot": trial, "version": previous.get("version"), "reason": f"required check(s) failed: {names}",
                "checks": failed}
    return {"slot": trial, "version": None, "checks": [],
            "reason": "it never reached its health checks (a kernel panic, a hang caught by the watchdog, "
                      "or no root found)"}


def trial_deadline(root: Root, runner: Runner, platform: Platform, esp: str = ESP) -> bool:
    """The trial boot's deadline passed: when its trial is still undecided, record that and
    reboot (into the old slot: grub's counter is 0). True when it rebooted."""
    slot = booted_slot(cmdline.read(root))
    with esp_mounted(root, runner, esp):
        pending = Pending.of(read_grubenv(platform, Path(root(esp))))
    if slot is None or pending.trial != f"slot-{slot}":
        return False
    write_json(root, STATE_FILE, {
        "time": datetime.now(UTC).isoformat(timespec="seconds"), "slot": slot, "version": _version(root),
        "trial": True, "fallback": False, "failed_trial": None, "checks": [],
        "result": "trial failed: its health checks did not decide in time; rebooting into the previous slot"})
    runner(["systemctl", "reboot"])
    return True
