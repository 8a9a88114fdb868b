"""A skipped test fails the run, unless it is on the one short list of optional skips below.

`make test` installs everything the suite needs (Debian packages as root, the venv), so a test
skipped for want of root, a loop device, unshare, a D-Bus daemon, tmux or a daemon's checker
means the machine is not set up as the Makefile promises: a green run would hide it.
"""

from __future__ import annotations

import pytest

#: Test id prefix -> why that test may be skipped on a machine `make test` set up. Keep it short.
OPTIONAL_SKIPS: dict[str, str] = {}

_unexpected: list[tuple[str, str]] = []


def _allowed(nodeid: str) -> bool:
    return any(nodeid.startswith(prefix) for prefix in OPTIONAL_SKIPS)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and not hasattr(report, "wasxfail") and not _allowed(report.nodeid):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        _unexpected.append((report.nodeid, reason))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _unexpected:
        terminalreporter.section("skipped tests fail the run (tests/skips.py)", red=True)
        for nodeid, reason in _unexpected:
            terminalreporter.line(f"{nodeid}: {reason}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _unexpected and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
