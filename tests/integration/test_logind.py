"""ovirt_node.system.logind against python-dbusmock's logind template on a private bus."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import dbus
import pytest

from ovirt_node.system.logind import BUS_NAME, MANAGER_IFACE, MANAGER_PATH, Logind, LogindError
from tests.dbus_env import MockService, spawn_dbusmock


def logind_service(address: str, **parameters: str) -> AbstractContextManager[MockService]:
    return spawn_dbusmock(address, "logind", BUS_NAME, MANAGER_PATH, json.dumps(parameters) if parameters else None)


@pytest.fixture
def logind_mock(private_bus: str) -> Iterator[MockService]:
    with logind_service(private_bus) as service:
        yield service


@pytest.fixture
def logind(logind_mock: MockService) -> Iterator[Logind]:
    with Logind.connect(logind_mock.address) as client:
        yield client


def calls(service: MockService) -> list[tuple[str, list[Any]]]:
    return [(str(name), list(args)) for _ts, name, args in service.mock.GetCalls()]


def test_reboot_is_non_interactive(
    logind_mock: MockService, logind: Logind, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="ovirt_node.system.logind"):
        logind.reboot()
    [(name, args)] = calls(logind_mock)
    assert name == "Reboot"
    assert args == [False] and isinstance(args[0], dbus.Boolean)
    assert "logind: Reboot(False)" in caplog.messages


def test_power_off_is_non_interactive(logind_mock: MockService, logind: Logind) -> None:
    logind.power_off()
    [(name, args)] = calls(logind_mock)
    assert name == "PowerOff"
    assert args == [False] and isinstance(args[0], dbus.Boolean)


def test_can_reboot_and_power_off_default_answers(logind_mock: MockService, logind: Logind) -> None:
    assert logind.can_reboot() == "yes"
    assert logind.can_power_off() == "yes"
    assert [name for name, _args in calls(logind_mock)] == ["CanReboot", "CanPowerOff"]


def test_can_reboot_passes_the_template_answer_through(private_bus: str) -> None:
    with logind_service(private_bus, CanReboot="challenge", CanPowerOff="na") as service:
        with Logind.connect(service.address) as client:
            assert client.can_reboot() == "challenge"
            assert client.can_power_off() == "na"


def test_refused_reboot_names_the_reason(logind_mock: MockService, logind: Logind) -> None:
    logind_mock.mock.AddMethod(
        MANAGER_IFACE,
        "Reboot",
        "b",
        "",
        "raise dbus.exceptions.DBusException('Interactive authentication required.',"
        " name='org.freedesktop.DBus.Error.InteractiveAuthorizationRequired')",
    )
    with pytest.raises(LogindError, match=r"^reboot refused: .*InteractiveAuthorizationRequired: Interactive auth"):
        logind.reboot()


def test_logind_not_running_on_the_bus(private_bus: str) -> None:
    with Logind.connect(private_bus) as client:
        with pytest.raises(LogindError, match=r"^power off failed: logind is not running on unix:"):
            client.power_off()
        with pytest.raises(LogindError, match=r"^asking whether reboot is allowed failed: logind is not running"):
            client.can_reboot()


def test_bad_address(tmp_path: Path) -> None:
    address = f"unix:path={tmp_path / 'no-such-socket'}"
    with pytest.raises(LogindError, match=rf"^cannot connect to D-Bus at {re.escape(address)}: "):
        Logind.connect(address)
    with pytest.raises(LogindError, match=r"^cannot connect to D-Bus at not-an-address: "):
        Logind.connect("not-an-address")
