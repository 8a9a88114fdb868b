"""The Logging area's kernel arguments end to end (3.x names), bad values skipped and logged,
and the bad rotation sizes refused by the CLI with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.node_fixtures import changed_paths, run_config, snapshot


def test_logging_kernel_args_apply(node_root: Path, tmp_path: Path) -> None:
    args = tmp_path / "cmdline"
    args.write_text("syslog=log.example.com:10514 netconsole=192.0.2.9:6660 logrotate_max_size=4096 "
                    "logrotate_interval=monthly\n")
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    shown = json.loads(run_config("--root", str(node_root), "show", "--json", "logging", check=True).stdout)
    assert {k: v["value"] for k, v in shown.items()} == {
        "logging.rsyslog.server": "log.example.com", "logging.rsyslog.port": "10514",
        "logging.rsyslog.protocol": "udp", "logging.logrotate.max_size": "4096",
        "logging.logrotate.interval": "monthly", "logging.netconsole.server": "192.0.2.9",
        "logging.netconsole.port": "6660",
    }
    assert all(v["source"] == "system" for k, v in shown.items() if k != "logging.rsyslog.protocol")


BAD_ARGS = {
    "logrotate_max_size=-5": "logging.logrotate.max_size: must be a whole number from 1 to 1000000000",
    "logrotate_interval=hourly": "logging.logrotate.interval: must be one of: daily, weekly, monthly",
    "netconsole=nc.example.com:0": "logging.netconsole.port: must be a port number from 1 to 65535",
    "syslog=bad_host!": "logging.rsyslog.server: must be a host name",
}


def test_bad_logging_kernel_args_are_skipped_and_logged(node_root: Path, tmp_path: Path) -> None:
    args = tmp_path / "cmdline"
    args.write_text(" ".join(BAD_ARGS) + "\n")
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "--from", str(args))
    assert result.returncode == 0, result.stderr
    for arg, reason in BAD_ARGS.items():
        assert f"skipped: {arg}: {reason}" in result.stdout
        assert result.stdout.count(f"{arg}: ") == 1 and arg not in result.stderr  # said once, with the result
    assert changed_paths(before, snapshot(node_root)) == set()


@pytest.mark.parametrize("size", ["-5", "0", "10M"])
def test_bad_rotate_size_exit_2_nothing_written(node_root: Path, size: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", f"logging.logrotate.max_size={size}")
    assert result.returncode == 2
    assert "invalid logging.logrotate.max_size: must be a whole number from 1 to 1000000000" in result.stderr
    assert snapshot(node_root) == before


def test_remote_syslog_keeps_lines_while_the_server_is_unreachable(node_root: Path) -> None:
    """The forwarding action has its own queue and retries for ever: lines logged while the
    server cannot be reached (the boot before the network is up) wait instead of being lost.
    (Seen on the booted node: after a reboot the first lines went out, then nothing.)"""
    conf = node_root / "etc/rsyslog.d/ovirt-node-remote.conf"
    run_config("--root", str(node_root), "set", "logging.rsyslog.server=192.0.2.30", check=True)
    lines = [line for line in conf.read_text().splitlines() if not line.startswith("#")]
    assert lines == ["$ActionQueueType LinkedList", "$ActionQueueSize 20000", "$ActionResumeRetryCount -1",
                     "$ActionResumeInterval 10", "*.*\t@192.0.2.30:514"]
    run_config("--root", str(node_root), "set", "logging.rsyslog.server=192.0.2.31", check=True)
    assert [line for line in conf.read_text().splitlines() if not line.startswith("#")][-1] == "*.*\t@192.0.2.31:514"
    assert conf.read_text().count("$ActionQueueType") == 1
    run_config("--root", str(node_root), "set", "logging.rsyslog.server=", check=True)
    assert "$Action" not in conf.read_text()
