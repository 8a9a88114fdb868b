"""The journal's record of `ovirt-node-config` changes, and the setup TUI's journal log, in a
real journal: systemd-journald started in a private mount namespace (its own /run), read back
with journalctl. Also the silent fallback where there is no journal (this build host)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ovirt_node.cli import audit
from tests.node_fixtures import REPO, run_config

JOURNALD = "/lib/systemd/systemd-journald"
PASSWORD = "Sup3r-Secret-pw"  # noqa: S105 - a test value that must never reach the journal

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root")

WITH_JOURNALD = f"""\
set -e
mount -t tmpfs none /run
mkdir -p /run/systemd/journal
{JOURNALD} & journald=$!
trap 'kill $journald; wait $journald || true' EXIT
i=0
while [ ! -S /run/systemd/journal/socket ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
"$@"
journalctl --sync || sleep 1
journalctl -D /run/log/journal --no-pager -o json > "$JOURNAL_OUT"
"""

#: Run inside the namespace: the commands, their exit codes on stdout as JSON.
DRIVER = """\
import json, os, subprocess, sys
root = sys.argv[1]
config = [sys.executable, "-m", "ovirt_node.cli.config", "--root", root]
runs = [
    (["set", "ssh.port=2222", "logging.rsyslog.server=log.example.com"], {"SUDO_USER": "admin"}, None),
    (["set-password"], {}, os.environ["SECRET"] + "\\n"),
    (["set", "ssh.port=99999"], {}, None),
    (["set", "security.admin_password=" + os.environ["SECRET"]], {}, None),
    (["set", "security.admin_pasword=" + os.environ["SECRET"]], {}, None),
    (["cmdline", "adminpw=" + os.environ["SECRET"]], {}, None),
    (["set", "--dry-run", "ssh.port=2200"], {}, None),
    (["--bus", "unix:path=/nonexistent", "set", "logging.rsyslog.server=other.example.com"], {}, None),
    (["set", "ssh.port=2222"], {}, None),
    (["reset"], {}, "reset\\n"),
    (["reset", "--yes"], {}, None),
]
codes = []
for args, env, stdin in runs:
    done = subprocess.run(config + args, input=stdin, text=True,
                          capture_output=True, env={**os.environ, **env})
    codes.append([done.returncode, done.stderr])
import logging
from ovirt_node.core.root import Root
from ovirt_node.cli.setup import setup_logging
setup_logging(Root.at(root), False)
logging.getLogger("ovirt_node.setup").info("the setup TUI logs to the journal")
from ovirt_node.areas.reset import journal
journal("admin", "applied")  # what the Status page's Reset configuration records
print(json.dumps(codes))
"""


def in_journal(node_root: Path, tmp_path: Path) -> tuple[list[list[Any]], list[dict[str, Any]]]:
    out = tmp_path / "journal.json"
    command = ["unshare", "-m", "--propagation", "private", "sh", "-c", WITH_JOURNALD, "sh",
               sys.executable, "-c", DRIVER, str(node_root)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=300,
                            env={**os.environ, "JOURNAL_OUT": str(out), "PYTHONPATH": str(REPO),
                                 "SECRET": PASSWORD})
    assert result.returncode == 0, result.stdout + result.stderr
    entries = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return json.loads(result.stdout.strip().splitlines()[-1]), entries


def test_changes_leave_one_record_each_in_the_journal(node_root: Path, tmp_path: Path) -> None:
    assert Path(JOURNALD).exists(), "systemd is not installed"
    codes, entries = in_journal(node_root, tmp_path)
    assert [c[0] for c in codes] == [0, 0, 2, 2, 2, 0, 0, 3, 0, 2, 0], codes
    records = [e for e in entries if e.get("SYSLOG_IDENTIFIER") == "ovirt-node-config"]
    where = f"under {node_root}"
    assert [r["MESSAGE"] for r in records] == [
        f"ovirt-node-config set {where} by admin (sudo; no login session): ssh.port=2222 "
        "logging.rsyslog.server=log.example.com -> applied",
        f"ovirt-node-config set-password {where} by root (no login session): security.admin_password=******** "
        "-> applied",
        f"ovirt-node-config set {where} by root (no login session): ssh.port=99999 -> invalid (ssh.port), "
        "nothing changed",
        # no record of the three runs with the password on their own command line: journald
        # would keep it in the entry's _CMDLINE (set refuses it; a typo of the key; cmdline adminpw=)
        # the dry run left no record
        f"ovirt-node-config set {where} by root (no login session): logging.rsyslog.server=other.example.com "
        f"-> failed, rolled back: {records[3]['MESSAGE'].split('rolled back: ', 1)[1]}",
        f"ovirt-node-config set {where} by root (no login session): ssh.port=2222 -> nothing to change",
        f"ovirt-node-config reset {where} by root (no login session): (no settings) -> not confirmed (RESET not "
        "typed), nothing changed",
        f"ovirt-node-config reset {where} by root (no login session): (no settings) -> applied",
    ]
    assert "Restart rsyslog.service" in records[3]["MESSAGE"]
    first = records[0]
    assert (first["OVIRT_NODE_KEYS"], first["OVIRT_NODE_USER"], first["OVIRT_NODE_RESULT"]) == (
        "ssh.port logging.rsyslog.server", "admin (sudo; no login session)", "applied")
    assert [r["OVIRT_NODE_RESULT"] for r in records] == ["applied", "applied", "invalid", "failed",
                                                          "nothing to change", "not confirmed", "applied"]
    assert all(r["PRIORITY"] == "6" for r in records)
    # the password is nowhere in the journal, in any field of any entry
    assert PASSWORD not in json.dumps(entries)
    tui = [e for e in entries if e.get("SYSLOG_IDENTIFIER") == "ovirt-node-setup"]
    assert [e["MESSAGE"] for e in tui] == ["the setup TUI logs to the journal",
                                           "ovirt-node-setup reset by admin: (no settings) -> applied"]


def test_no_journal_no_record_and_no_noise(node_root: Path) -> None:
    # This build host runs no journald: the change works and says nothing about a journal.
    assert not Path("/run/systemd/journal/socket").exists(), "this host has a journal: the check below is moot"
    result = run_config("--root", str(node_root), "set", "ssh.port=2222")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert audit.emit(audit.Change("set", "root", changes={"ssh.port": "2222"}), lambda k: False) is False


def test_without_python_systemd_nothing_is_recorded(tmp_path: Path) -> None:
    # journald listening, python-systemd missing (the import fails): silently no handler.
    socket = tmp_path / "socket"
    socket.touch()
    script = ("import sys; sys.modules['systemd'] = None\n"
              "from pathlib import Path\n"
              "from ovirt_node.system import systemd_journal\n"
              f"print(systemd_journal.handler('x', Path({str(socket)!r})))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO)
    assert (result.returncode, result.stdout, result.stderr) == (0, "None\n", "")


def test_who_asked(tmp_path: Path) -> None:
    loginuid = tmp_path / "loginuid"
    loginuid.write_text("0")
    assert audit.who({}, loginuid) == "root (login uid 0)"
    assert audit.who({"SUDO_USER": "admin"}, loginuid) == "admin (sudo; login uid 0)"
    loginuid.write_text(str(audit.NO_LOGIN_UID))
    assert audit.who({}, loginuid, euid=0) == "root (no login session)"
    assert audit.who({}, tmp_path / "missing", euid=0) == "root (no login session)"


def test_what_a_record_shows() -> None:
    secret = {"security.admin_password"}.__contains__
    line = audit.shown({"ssh.port": "22", "security.admin_password": "pw", "network.interfaces": "a b\nc",
                        "logging.rsyslog.server": ""}, secret)
    assert line == 'ssh.port=22 security.admin_password=******** network.interfaces="a b\\nc" logging.rsyslog.server='
