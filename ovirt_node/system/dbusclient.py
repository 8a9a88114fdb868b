"""What every D-Bus client of ours shares: a private connection to the system bus or to a
given address (the `--bus` of a root prefix), error texts, and closing as a context manager."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any, Self

import dbus
import dbus.bus
import dbus.exceptions

log = logging.getLogger(__name__)


def describe(exc: dbus.exceptions.DBusException) -> str:
    """`org.freedesktop.X.Error: message`, or just the message when there is no name."""
    name = exc.get_dbus_name()
    message = exc.get_dbus_message() or str(exc)
    return f"{name}: {message}" if name else message


def open_bus(address: str | None, error: type[Exception], mainloop: Any = None) -> tuple[dbus.bus.BusConnection, str]:
    """A private connection (None = the system bus) and how to name it in messages; a
    failure raises `error` with "cannot connect to D-Bus at ...". """
    where = "the system bus" if address is None else address
    target: str | int = dbus.bus.BusConnection.TYPE_SYSTEM if address is None else address
    try:
        bus = dbus.bus.BusConnection(target, mainloop=mainloop)  # None: the default main loop
    except dbus.exceptions.DBusException as exc:
        raise error(f"cannot connect to D-Bus at {where}: {describe(exc)}") from exc
    log.debug("connected to %s", where)
    return bus, where


class BusClient:
    """Holds one private connection; close it, or use the client in a `with` block."""

    def __init__(self, bus: dbus.bus.BusConnection, where: str = "the system bus") -> None:
        self._bus = bus
        self._where = where

    def close(self) -> None:
        self._bus.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
