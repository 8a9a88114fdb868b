"""Private D-Bus buses and python-dbusmock services for tests.

Registered for the whole suite by ``tests/conftest.py`` (``pytest_plugins``).

Fixtures
--------
``private_bus``
    A throw-away ``dbus-daemon`` (own config, socket in a fresh temp dir, no service
    activation); yields its address and kills the daemon afterwards.
``systemd_mock``
    python-dbusmock's ``systemd`` template on ``private_bus``, plus the Manager methods
    the template lacks (see :func:`add_systemd_extras`); yields :class:`MockService`.

Helpers for further services (NetworkManager, hostnamed, localed, ...)
--------------------------------------------------------------------
``private_dbus()`` and ``spawn_dbusmock(address, template, bus_name, object_path)`` are
context managers; a new fixture is usually three lines::

    @pytest.fixture
    def timedated_mock(private_bus):
        with spawn_dbusmock(private_bus, "timedated", "org.freedesktop.timedate1",
                            "/org/freedesktop/timedate1") as service:
            yield service

The mock server runs with both ``DBUS_SYSTEM_BUS_ADDRESS`` and ``DBUS_SESSION_BUS_ADDRESS``
pointing at the private bus, so system- and session-bus templates both land there.

PyGObject
---------
Several dbusmock templates (``systemd`` among them) do ``from gi.repository import GLib``
just to call ``GLib.idle_add``.  PyGObject is not a dependency of this project, so when
``gi`` cannot be imported the mock server is started through a small bootstrap that
registers a stand-in ``gi.repository.GLib`` with ``idle_add``/``timeout_add``/
``source_remove`` implemented on ``libglib-2.0`` via ctypes (the same library dbusmock's
own main loop drives via ctypes).  With PyGObject installed the real module is used.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from ovirt_node.demo.bus import (
    SYSTEMD_BUS_NAME,
    SYSTEMD_MANAGER,
    SYSTEMD_PATH,
    MockService,
    add_systemd_extras,
    private_dbus,
    spawn_dbusmock,
    systemd_job_code,
)

__all__ = ["SYSTEMD_MANAGER", "MockService", "private_bus", "spawn_dbusmock", "systemd_job_code", "systemd_mock"]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def private_bus() -> Iterator[str]:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("dbus-daemon is not installed")
    with private_dbus() as address:
        yield address


@pytest.fixture
def systemd_mock(private_bus: str) -> Iterator[MockService]:
    with spawn_dbusmock(private_bus, "systemd", SYSTEMD_BUS_NAME, SYSTEMD_PATH) as service:
        add_systemd_extras(service.mock)
        yield service
