"""ovirt_node.system.systemd against python-dbusmock's systemd template on a private bus."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from ovirt_node.system.systemd import Systemd, SystemdError
from tests.dbus_env import SYSTEMD_MANAGER, MockService, systemd_job_code


@pytest.fixture
def sshd(systemd_mock: MockService) -> Iterator[Systemd]:
    systemd_mock.mock.AddMockUnit("sshd.service")
    with Systemd.connect(systemd_mock.address) as client:
        yield client


def calls(service: MockService) -> list[tuple[str, list[str]]]:
    return [(str(name), [str(a) for a in args]) for _ts, name, args in service.mock.GetCalls()]


def test_restart_unit_waits_for_job_and_returns_done(
    systemd_mock: MockService, sshd: Systemd, caplog: pytest.LogCaptureFixture
) -> None:
    assert sshd.unit_active_state("sshd.service") == "inactive"
    systemd_mock.mock.ClearCalls()
    with caplog.at_level(logging.DEBUG, logger="ovirt_node.system.systemd"):
        assert sshd.restart_unit("sshd.service") == "done"

    assert ("RestartUnit", ["sshd.service", "replace"]) in calls(systemd_mock)
    assert "systemd: RestartUnit sshd.service (replace)" in caplog.messages
    assert sshd.unit_active_state("sshd.service") == "active"


def test_subscribe_is_called_before_the_job_when_supported(systemd_mock: MockService, sshd: Systemd) -> None:
    systemd_mock.mock.AddMethod(SYSTEMD_MANAGER, "Subscribe", "", "", "")
    assert sshd.restart_unit("sshd.service", mode="fail") == "done"
    assert sshd.restart_unit("sshd.service") == "done"
    names = [name for name, _args in calls(systemd_mock)]
    assert names.index("Subscribe") < names.index("RestartUnit")
    assert names.count("Subscribe") == 1
    assert ("RestartUnit", ["sshd.service", "fail"]) in calls(systemd_mock)


def test_start_stop_and_reload_or_restart(systemd_mock: MockService, sshd: Systemd) -> None:
    # StartUnit/StopUnit are the template's own methods, ReloadOrRestartUnit our extra
    assert sshd.start_unit("sshd.service") == "done"
    assert sshd.unit_active_state("sshd.service") == "active"
    assert sshd.stop_unit("sshd.service") == "done"
    assert sshd.unit_active_state("sshd.service") == "inactive"
    assert sshd.reload_or_restart_unit("sshd.service") == "done"
    assert sshd.unit_active_state("sshd.service") == "active"
    jobs = {"StartUnit", "StopUnit", "RestartUnit", "ReloadOrRestartUnit"}
    assert [name for name, _args in calls(systemd_mock) if name in jobs] == [
        "StartUnit",
        "StopUnit",
        "ReloadOrRestartUnit",
    ]


def test_failed_job_raises_with_unit_name(systemd_mock: MockService, sshd: Systemd) -> None:
    systemd_mock.mock.AddMethod(
        SYSTEMD_MANAGER, "RestartUnit", "ss", "o", systemd_job_code(result="failed", active_state="failed")
    )
    with pytest.raises(SystemdError, match=r"^restarting sshd\.service failed: failed$"):
        sshd.restart_unit("sshd.service")
    assert sshd.unit_active_state("sshd.service") == "failed"


def test_unknown_unit(sshd: Systemd) -> None:
    with pytest.raises(SystemdError, match=r"restarting nosuch\.service failed: .*NoSuchUnit"):
        sshd.restart_unit("nosuch.service")
    assert sshd.unit_active_state("nosuch.service") == "inactive"


def test_job_that_never_finishes_times_out(systemd_mock: MockService, sshd: Systemd) -> None:
    systemd_mock.mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o", systemd_job_code(finish=False))
    started = time.monotonic()
    with pytest.raises(SystemdError, match=r"restarting sshd\.service timed out after 1s"):
        sshd.restart_unit("sshd.service", timeout=1)
    assert 0.9 <= time.monotonic() - started < 3
    # the client is still usable afterwards
    systemd_mock.mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o", systemd_job_code())
    assert sshd.restart_unit("sshd.service", timeout=5) == "done"


def test_unknown_bus_address(tmp_path: object) -> None:
    address = f"unix:path={tmp_path}/no-such-socket"
    with pytest.raises(SystemdError, match=r"^cannot connect to D-Bus at unix:path=.*no-such-socket"):
        Systemd.connect(address)


def test_no_systemd_on_the_bus(private_bus: str) -> None:
    with Systemd.connect(private_bus) as client:
        with pytest.raises(SystemdError, match=r"starting sshd\.service failed: .*ServiceUnknown"):
            client.start_unit("sshd.service", timeout=2)
