"""Secrets and confinement: the planted-secrets corpus through the support bundle on each root
kind, a poller of the process list while passwords are set, and outward symbolic links planted
at every path the engine reads or writes."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ovirt_node.areas.registry import builtin_sections
from ovirt_node.report import bundle
from tests.campaign.fuzz import run_cli
from tests.campaign.roots import fresh
from tests.campaign.tree import content_view, diff, leftovers
from tests.integration import support_corpus
from tests.node_fixtures import REPO


def secrets(seed: int, polls: int) -> tuple[int, list[str], dict[str, int]]:
    failures: list[str] = []
    markers = support_corpus.planted_markers()
    cases = 0
    with tempfile.TemporaryDirectory(prefix="ovirt-node-campaign-") as tmp:
        for kind in ("demo", "el", "minimal"):
            root = fresh(kind, Path(tmp), "root")
            (root / "etc/default").mkdir(parents=True, exist_ok=True)
            (root / "etc/default/ovirt").touch()  # the corpus adds to it
            support_corpus.plant(root)
            code, out, err = run_cli("--root", str(root), "support-bundle")
            cases += len(markers)
            if code != 0:
                failures.append(f"{kind}: support-bundle exit {code}: {err.strip()[-200:]}")
                continue
            raw = gzip.decompress(Path(out.strip()).read_bytes()).decode(errors="replace") + out + err
            leaked = sorted(m for m in markers if m in raw)
            if leaked or "Zq7" in raw:
                failures.append(f"{kind}: the bundle holds planted secrets {leaked or ['Zq7...']}")
        root = fresh("demo", Path(tmp), "root")
        for n in range(polls):
            password = f"Campaign-Pass-{seed}-{n}x"
            salt = f"s{seed % 1000:03d}{n:04d}"
            hashed = _hash(password, salt)
            source = Path(tmp) / "cmdline"
            source.write_text(f"adminpw={hashed} rootpw={hashed}\n")
            runs = [(["cmdline", "--from", str(source)], "", hashed),
                    (["set-password"], password + "\n", password)]
            for args, stdin, secret in runs:
                code, seen = _watch(root, args, stdin, secret)
                cases += 1
                if code != 0 or seen:
                    failures.append(f"{' '.join(args[:1])} run {n}: exit {code}, secret seen in argv: {seen[:1]}")
            for path in root.rglob("*"):
                if path.is_file() and not path.is_symlink() and path.name not in ("shadow", "shadow-"):
                    data = path.read_bytes()
                    if password.encode() in data or hashed.encode() in data:
                        failures.append(f"run {n}: {path.relative_to(root)} holds the password or its hash")
    return cases, failures, {"corpus markers": len(markers), "argv polls": polls * 2}


def _hash(password: str, salt: str) -> str:
    done = subprocess.run(["openssl", "passwd", "-6", "-salt", salt, "-stdin"], input=password,
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def _watch(root: Path, args: list[str], stdin: str, secret: str) -> tuple[int, list[bytes]]:
    """Run the CLI and poll every process's command line until it ends."""
    proc = subprocess.Popen([sys.executable, "-m", "ovirt_node.cli.config", "--root", str(root), *args],
                            cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    proc.stdin.write(stdin.encode())
    proc.stdin.close()
    seen: list[bytes] = []
    while proc.poll() is None:
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                line = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if secret.encode() in line:
                seen.append(line)
        time.sleep(0.002)
    return proc.returncode, seen


# -- outward links --------------------------------------------------------------------------------

MARKER = "OUTSIDE_CAMPAIGN_MARKER"
FOLDERS = ["/etc", "/etc/ssh", "/etc/default", "/etc/rsyslog.d", "/run", "/data", "/config", "/var/log"]
COMMANDS = [["show"], ["get", "ssh.port"], ["set", "ssh.port=2345"], ["set", "logging.rsyslog.server=192.0.2.7"],
            ["set", "keyboard.keymap=fr"], ["support-bundle", "--output", "{out}"], ["support-bundle"]]


def symlinks(seed: int) -> tuple[int, list[str], dict[str, int]]:
    """Each engine file and folder replaced by an absolute or relative link out of the root;
    every command then either refuses or leaves the link out: nothing outside changes or shows."""
    paths = [p.replace("*", "planted") for p in bundle.config_files(builtin_sections())] + FOLDERS
    failures: list[str] = []
    cases = 0
    with tempfile.TemporaryDirectory(prefix="ovirt-node-campaign-") as tmp:
        base = Path(tmp)
        for node_path in paths:
            for relative in (False, True):
                root = fresh("demo", base, "root")
                outside = base / "outside"
                if outside.exists():
                    shutil.rmtree(outside)
                target = _outside(root, outside, node_path)
                link = root / node_path.lstrip("/")
                if link.is_dir() and not link.is_symlink():
                    shutil.rmtree(link)
                elif link.exists() or link.is_symlink():
                    link.unlink()
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(os.path.relpath(target, link.parent) if relative else target)
                out_before = content_view(outside)
                bundle_file = base / "bundle.tar.gz"
                for args in ([a.replace("{out}", str(bundle_file)) for a in c] for c in COMMANDS):
                    bundle_file.unlink(missing_ok=True)
                    cases += 1
                    before = content_view(root)
                    code, out, err = run_cli("--root", str(root), *args)
                    label = f"{node_path} ({'relative' if relative else 'absolute'}): {' '.join(args)}"
                    if "Traceback" in err:
                        failures.append(f"{label}: traceback {err.strip()[-200:]}")
                    if MARKER in out + err or MARKER.encode() in _bundle_bytes(out) \
                            or bundle_file.is_file() and MARKER.encode() in _bundle_bytes(str(bundle_file)):
                        failures.append(f"{label}: the outside file's content showed (exit {code})")
                    if changed := diff(out_before, content_view(outside)):
                        failures.append(f"{label}: changed outside the root: {changed[:4]}")
                        out_before = content_view(outside)
                    if code != 0 and (changed := [p for p in diff(before, content_view(root))
                                                  if not p.startswith("/data/support")]):
                        failures.append(f"{label}: exit {code} but the root changed: {changed[:4]}")
                    if rest := [r for r in leftovers(root) if not r.startswith("/run")]:
                        failures.append(f"{label}: left behind {rest}")
    return cases, failures, {"paths": len(paths)}


def _outside(root: Path, outside: Path, node_path: str) -> Path:
    """A copy of what the link replaces, outside the root, every file with the marker added."""
    source = root / node_path.lstrip("/")
    target = outside / node_path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True)
        files = [p for p in target.rglob("*") if p.is_file() and not p.is_symlink()]
        (target / "marker").write_text(f"{MARKER}=1\n")
    else:
        target.write_bytes(source.read_bytes() if source.is_file() else b"")
        files = [target]
    for path in files:
        with path.open("a") as handle:
            handle.write(f"\n# {MARKER}\n")
    return target


def _bundle_bytes(out: str) -> bytes:
    path = Path(out.strip().splitlines()[-1]) if out.strip() else None
    if path is None or not path.is_file():
        return out.encode(errors="replace")
    try:
        return gzip.decompress(path.read_bytes())
    except OSError:
        return b""
