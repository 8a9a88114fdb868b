"""Attacks on real `ovirt-node-config` processes: racing pairs of `set`, and an 8-key `set`
killed (SIGKILL at a random moment or a step boundary; SIGINT, SIGTERM, SIGHUP) with the next
run's repair checked against the trees of an uninterrupted run."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tests.campaign.roots import fresh
from tests.campaign.tree import Tree, content_view, diff, leftovers
from tests.node_fixtures import REPO


def config(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=300)


def start(root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root), *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# -- races ------------------------------------------------------------------------------------------

#: Keys in different files that all meet in /etc/default/ovirt: (key, value for pair n, the
#: defaults file's line for it).
RACERS: list[tuple[str, Callable[[int], str], str]] = [
    ("ssh.port", lambda n: str(2200 + n % 5000), "OVIRT_SSH_PORT"),
    ("logging.rsyslog.server", lambda n: f"log{n}.example.com", "OVIRT_SYSLOG_SERVER"),
    ("logging.netconsole.server", lambda n: f"192.0.2.{n % 250 + 1}", "OVIRT_NETCONSOLE_SERVER"),
    ("monitoring.collectd.server", lambda n: f"col{n}.example.com", "OVIRT_COLLECTD_SERVER"),
    ("nfsv4.domain", lambda n: f"d{n}.example.com", "OVIRT_NFSV4_DOMAIN"),
    ("logging.logrotate.max_size", lambda n: str(2000 + n), "OVIRT_LOGROTATE_MAX_SIZE"),
]


def race_pair(root: Path, n: int, rng: random.Random, wait: bool) -> list[str]:
    """Two `set`s of different keys started 0-50 ms apart. With --wait both must land; without,
    the second may be refused (exit 1, "another change is in progress") and change nothing.
    Whatever exited 0 is in the defaults file and read back by `get`; no key vanishes."""
    (k1, v1, d1), (k2, v2, d2) = rng.sample(RACERS, 2)
    jobs = [(k1, v1(n), d1), (k2, v2(n), d2)]
    extra = ["--wait", "120"] if wait else []
    procs = []
    for i, (key, val, _) in enumerate(jobs):
        procs.append(start(root, "set", *extra, f"{key}={val}"))
        if i == 0:
            time.sleep(rng.uniform(0, 0.05))
    problems = []
    landed = []
    for (key, val, var), proc in zip(jobs, procs, strict=True):
        _, err = proc.communicate(timeout=300)
        if proc.returncode == 0:
            landed.append((key, val, var))
        elif wait or proc.returncode != 1 or "another change is in progress" not in err:
            how = "--wait" if wait else "no wait"
            problems.append(f"pair {n} ({how}): {key}: exit {proc.returncode}: {err.strip()[-200:]}")
    defaults = (root / "etc/default/ovirt").read_text()
    for key, val, var in landed:
        if f'{var}="{val}"' not in defaults:
            problems.append(f"pair {n}: {key}={val} exited 0 but {var} is not in /etc/default/ovirt")
        from tests.campaign.fuzz import run_cli
        got = run_cli("--root", str(root), "get", key)[1].strip()
        if got != val:
            problems.append(f"pair {n}: {key}={val} exited 0 but get says {got!r}")
    if rest := leftovers(root):
        problems.append(f"pair {n}: left behind {rest}")
    return problems


def races(seed: int, pairs: int) -> tuple[int, list[str], dict[str, int]]:
    rng = random.Random(f"{seed}:races")
    failures: list[str] = []
    refused = 0
    with tempfile.TemporaryDirectory(prefix="ovirt-node-campaign-") as tmp:
        for n in range(pairs):
            if n % 40 == 0:
                root = fresh(("demo", "el")[(n // 40) % 2], Path(tmp), "root")
            wait = n % 2 == 0
            found = race_pair(root, n, rng, wait)
            refused += sum("exit 1" in f for f in found)
            failures += found
    return pairs, failures, {"pairs with --wait": (pairs + 1) // 2, "pairs without": pairs // 2}


# -- kills ------------------------------------------------------------------------------------------

#: Eight keys in eight files (sshd_config, rsyslog.d, netconsole, vconsole/keyboard, logrotate,
#: collectd, idmapd, the defaults file for all of them).
CHANGE = ("ssh.port=2222", "ssh.pwauth=yes", "logging.rsyslog.server=log.example.com",
          "logging.netconsole.server=192.0.2.9", "keyboard.keymap=fr", "logging.logrotate.max_size=2048",
          "monitoring.collectd.server=192.0.2.10", "nfsv4.domain=example.com")


def references(kind: str, base: Path) -> tuple[dict[str, tuple[Tree, str]], float]:
    """The tree and `show --json` before and after an uninterrupted run, and how long it took."""
    refs: dict[str, tuple[Tree, str]] = {}
    took = 0.0
    for name in ("before", "after"):
        root = fresh(kind, base, f"ref-{kind}-{name}")
        if name == "after":
            began = time.monotonic()
            done = config(root, "set", *CHANGE)
            took = time.monotonic() - began
            assert done.returncode == 0, done.stderr
        refs[name] = (content_view(root), config(root, "show", "--json").stdout)
    return refs, took


def interrupt(root: Path, sig: int, lines: int | None, delay: float) -> subprocess.Popen[str]:
    """Start the change; send `sig` after `lines` printed step lines (a step boundary) or
    after `delay` seconds."""
    proc = start(root, "set", *CHANGE)
    assert proc.stdout is not None
    if lines is None:
        time.sleep(delay)
    else:
        for _ in range(lines):
            proc.stdout.readline()
    proc.send_signal(sig)
    proc.wait(120)
    return proc


def one_kill(root: Path, refs: dict[str, tuple[Tree, str]], sig: int, lines: int | None, delay: float) -> list[str]:
    label = f"{signal.Signals(sig).name} " + (f"after {lines} step lines" if lines is not None else f"at {delay:.3f} s")
    proc = interrupt(root, sig, lines, delay)
    _, err = proc.communicate()
    problems = []
    if "Traceback" in err:
        problems.append(f"{label}: traceback: {err.strip()[-200:]}")
    # -sig: the signal came during Python's start-up, before main guards it, and its default
    # action ended the process: nothing had been read or written (the tree checks below hold it).
    if sig != signal.SIGKILL and proc.returncode not in (0, 128 + sig, -sig):
        problems.append(f"{label}: exit {proc.returncode}: {err.strip()[-200:]}")
    shown = config(root, "show", "--json")  # the next run repairs first
    tree = content_view(root)
    outcome = next((name for name, (ref, _) in refs.items() if ref == tree), None)
    if outcome is None:
        problems.append(f"{label}: half state after repair: {diff(refs['before'][0], tree)[:8]}")
    elif shown.stdout != refs[outcome][1]:
        problems.append(f"{label}: show disagrees with the files ({outcome})")
    if rest := leftovers(root):
        problems.append(f"{label}: left behind {rest}")
    again = config(root, "set", *CHANGE)  # the same change again lands all of it
    if again.returncode != 0 or content_view(root) != refs["after"][0]:
        problems.append(f"{label}: the same set again (exit {again.returncode}) did not give the after tree: "
                        f"{diff(refs['after'][0], content_view(root))[:8]}")
    return problems


def kills(seed: int, count: int) -> tuple[int, list[str], dict[str, int]]:
    """`count` SIGKILLs (one in five at a step boundary, the rest at a random moment of an
    uninterrupted run's duration) and count/5 each of SIGINT, SIGTERM and SIGHUP, on the demo
    root and the decorated one (xattrs, hard links, modes) in turn."""
    rng = random.Random(f"{seed}:kills")
    failures: list[str] = []
    outcomes = {"SIGKILL": 0, "SIGINT": 0, "SIGTERM": 0, "SIGHUP": 0}
    with tempfile.TemporaryDirectory(prefix="ovirt-node-campaign-") as tmp:
        base = Path(tmp)
        refs = {kind: references(kind, base) for kind in ("demo", "decorated")}
        for kind, (ref, _) in refs.items():
            after = ref["after"][0]
            for rel in ("/etc/ssh/sshd_config", "/etc/default/ovirt"):
                if kind == "decorated" and after[rel][4] == () or kind == "decorated" and after[rel][5] != 2:
                    failures.append(f"{kind}: an uninterrupted run lost {rel}'s xattr or hard link")
        plan = [signal.SIGKILL] * count + [signal.SIGINT, signal.SIGTERM, signal.SIGHUP] * max(1, count // 5)
        for n, sig in enumerate(plan):
            kind = ("demo", "decorated")[n % 2]
            ref, took = refs[kind]
            root = fresh(kind, base, "root")
            if n % 5 == 0:
                lines, delay = rng.randint(0, 9), 0.0
            else:
                lines, delay = None, rng.uniform(0.05, took)
            failures += [f"{kind}: {p}" for p in one_kill(root, ref, sig, lines, delay)]
            outcomes[signal.Signals(sig).name] += 1
    return len(plan), failures, outcomes


def dump(obj: object) -> str:
    return json.dumps(obj)
