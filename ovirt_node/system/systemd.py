"""A small client for systemd's manager (org.freedesktop.systemd1) over D-Bus.

Unit operations (start/stop/restart/reload-or-restart) queue a *job* in systemd; the
method call returns as soon as the job is queued, not when it has run.  To report the
real outcome we wait for the manager's ``JobRemoved(u id, o job, s unit, s result)``
signal that carries the job's result string ("done", "failed", "timeout", "canceled",
"dependency", "skipped", ...).

How the wait works
------------------
Receiving a signal with dbus-python needs a main loop.  ``dbus.mainloop.glib`` ships with
dbus-python itself (``_dbus_glib_bindings``) and hooks the connection into GLib's
*default main context*; what dbus-python does not ship is a way to iterate that context
-- that normally comes from PyGObject (``gi.repository.GLib``), which is not a dependency
of this project.  Instead of adding it, this module calls the three GLib C functions it
needs (``g_main_context_iteration``, ``g_timeout_add``, ``g_source_remove``) through
:mod:`ctypes` on ``libglib-2.0.so.0`` -- the very library ``_dbus_glib_bindings`` is
linked against, so it is always present when ``DBusGMainLoop`` is.

A polling loop on the job object (wait until ``/org/freedesktop/systemd1/job/N``
disappears, then read the unit's ActiveState) was rejected: a job object vanishes the same
way whether it succeeded or failed, so the result string is lost and has to be guessed
from a unit state that may already have moved on (``Restart=`` units, oneshots).

Ordering: ``Subscribe()`` is called and the ``JobRemoved`` match is installed *before* the
unit method is called, and finished jobs are remembered by job path, so a ``JobRemoved``
that arrives before the method's reply is not lost.
"""

from __future__ import annotations

import ctypes
import logging
import time
from typing import Any

import dbus
import dbus.bus
import dbus.exceptions
import dbus.mainloop.glib

from ovirt_node.system.dbusclient import BusClient, describe, open_bus

log = logging.getLogger(__name__)

BUS_NAME = "org.freedesktop.systemd1"
MANAGER_PATH = "/org/freedesktop/systemd1"
MANAGER_IFACE = "org.freedesktop.systemd1.Manager"
UNIT_IFACE = "org.freedesktop.systemd1.Unit"
PROPERTIES_IFACE = "org.freedesktop.DBus.Properties"
NO_SUCH_UNIT = "org.freedesktop.systemd1.NoSuchUnit"

DEFAULT_TIMEOUT = 60.0

# gboolean (*GSourceFunc)(gpointer user_data)
_SourceFunc = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_glib: ctypes.CDLL | None = None


class SystemdError(RuntimeError):
    """A systemd operation could not be performed or its job did not finish with "done"."""


def _libglib() -> ctypes.CDLL:
    """libglib-2.0 with the prototypes this module uses (loaded once)."""
    global _glib
    if _glib is None:
        try:
            lib = ctypes.CDLL("libglib-2.0.so.0")
        except OSError as exc:  # pragma: no cover - dbus-python's glib bindings need it
            raise SystemdError(f"cannot load libglib-2.0 to wait for systemd jobs: {exc}") from exc
        lib.g_main_context_iteration.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.g_main_context_iteration.restype = ctypes.c_int
        lib.g_main_context_acquire.argtypes = [ctypes.c_void_p]
        lib.g_main_context_acquire.restype = ctypes.c_int
        lib.g_main_context_release.argtypes = [ctypes.c_void_p]
        lib.g_main_context_release.restype = None
        lib.g_timeout_add.argtypes = [ctypes.c_uint, _SourceFunc, ctypes.c_void_p]
        lib.g_timeout_add.restype = ctypes.c_uint
        lib.g_source_remove.argtypes = [ctypes.c_uint]
        lib.g_source_remove.restype = ctypes.c_int
        _glib = lib
    return _glib


class Systemd(BusClient):
    """Client for systemd's manager on one D-Bus connection.

    Build it with :meth:`connect`; the connection must be attached to a
    ``DBusGMainLoop`` (``connect`` does that) or job results can never be received.
    Usable as a context manager; :meth:`close` drops the private connection.
    """

    def __init__(self, bus: dbus.bus.BusConnection, where: str = "the system bus") -> None:
        super().__init__(bus, where)
        self._subscribed = False
        self._receiver: Any = None
        # job path -> result, filled by the JobRemoved handler
        self._finished: dict[str, str] = {}
        self._pending: set[str] = set()

    @classmethod
    def connect(cls, address: str | None = None) -> Systemd:
        """Open a private connection: ``None`` = the system bus, otherwise a D-Bus address."""
        loop = dbus.mainloop.glib.DBusGMainLoop(set_as_default=False)
        return cls(*open_bus(address, SystemdError, mainloop=loop))

    def close(self) -> None:
        if self._receiver is not None:
            self._receiver.remove()
            self._receiver = None
        super().close()

    def _call(
        self, path: str, iface: str, method: str, signature: str, *args: Any, timeout: float = 25.0
    ) -> Any:
        # call_blocking: explicit signature, no introspection, no proxy name activation
        return self._bus.call_blocking(BUS_NAME, path, iface, method, signature, args, timeout=timeout)

    # ---- unit operations -------------------------------------------------------------

    def start_unit(self, name: str, mode: str = "replace", timeout: float = DEFAULT_TIMEOUT) -> str:
        return self._run_job("StartUnit", "starting", name, mode, timeout)

    def stop_unit(self, name: str, mode: str = "replace", timeout: float = DEFAULT_TIMEOUT) -> str:
        return self._run_job("StopUnit", "stopping", name, mode, timeout)

    def restart_unit(self, name: str, mode: str = "replace", timeout: float = DEFAULT_TIMEOUT) -> str:
        return self._run_job("RestartUnit", "restarting", name, mode, timeout)

    def reload_or_restart_unit(
        self, name: str, mode: str = "replace", timeout: float = DEFAULT_TIMEOUT
    ) -> str:
        return self._run_job("ReloadOrRestartUnit", "reloading or restarting", name, mode, timeout)

    def unit_active_state(self, name: str) -> str:
        """The unit's ActiveState; "inactive" if systemd has no such unit loaded."""
        log.debug("systemd: GetUnit %s", name)
        try:
            unit_path = self._call(MANAGER_PATH, MANAGER_IFACE, "GetUnit", "s", name)
        except dbus.exceptions.DBusException as exc:
            if exc.get_dbus_name() == NO_SUCH_UNIT:
                return "inactive"
            raise SystemdError(f"looking up {name} failed: {describe(exc)}") from exc
        log.debug("systemd: Get %s %s.ActiveState", unit_path, UNIT_IFACE)
        try:
            return str(self._call(str(unit_path), PROPERTIES_IFACE, "Get", "ss", UNIT_IFACE, "ActiveState"))
        except dbus.exceptions.DBusException as exc:
            raise SystemdError(f"reading ActiveState of {name} failed: {describe(exc)}") from exc

    # ---- job machinery ---------------------------------------------------------------

    def _subscribe(self) -> None:
        """Install the JobRemoved match and ask systemd to emit signals (once)."""
        if self._subscribed:
            return
        try:
            self._receiver = self._bus.add_signal_receiver(
                self._on_job_removed,
                signal_name="JobRemoved",
                dbus_interface=MANAGER_IFACE,
                path=MANAGER_PATH,
                bus_name=BUS_NAME,
            )
        except dbus.exceptions.DBusException as exc:
            raise SystemdError(f"cannot watch systemd jobs on {self._where}: {describe(exc)}") from exc
        log.debug("systemd: Subscribe")
        try:
            self._call(MANAGER_PATH, MANAGER_IFACE, "Subscribe", "")
        except dbus.exceptions.DBusException as exc:
            # older/other managers (and mocks) may not have it; signals may still arrive
            log.debug("systemd: Subscribe not supported, ignored (%s)", describe(exc))
        self._subscribed = True

    def _on_job_removed(self, job_id: Any, job: Any, unit: Any, result: Any) -> None:
        # recorded unconditionally: the signal may be dispatched before the caller has
        # registered the job path; the table is emptied whenever no job is pending
        log.debug("systemd: job %s (%s) removed: %s", job, unit, result)
        self._finished[str(job)] = str(result)

    def _run_job(self, method: str, verb: str, name: str, mode: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        self._subscribe()
        log.info("systemd: %s %s (%s)", method, name, mode)
        try:
            job = str(
                self._call(MANAGER_PATH, MANAGER_IFACE, method, "ss", name, mode, timeout=max(timeout, 0.001))
            )
        except dbus.exceptions.DBusException as exc:
            raise SystemdError(f"{verb} {name} failed: {describe(exc)}") from exc
        self._pending.add(job)
        try:
            result = self._wait_for(job, deadline)
        finally:
            self._pending.discard(job)
            self._finished.pop(job, None)
            if not self._pending:
                self._finished.clear()
        if result is None:
            raise SystemdError(f"{verb} {name} timed out after {timeout:g}s (job {job})")
        log.debug("systemd: %s %s -> %s", method, name, result)
        if result != "done":
            raise SystemdError(f"{verb} {name} failed: {result}")
        return result

    def _wait_for(self, job: str, deadline: float) -> str | None:
        """Iterate GLib's default main context until ``job`` is removed or ``deadline``."""
        glib = _libglib()
        if not glib.g_main_context_acquire(None):
            raise SystemdError("cannot wait for systemd job: GLib main context owned by another thread")
        expired = False

        def on_timeout(_data: Any) -> int:
            nonlocal expired
            expired = True
            return 0  # G_SOURCE_REMOVE

        callback = _SourceFunc(on_timeout)  # kept alive until the source is gone
        remaining_ms = max(0, int((deadline - time.monotonic()) * 1000))
        source_id = glib.g_timeout_add(remaining_ms, callback, None)
        try:
            while job not in self._finished and not expired:
                glib.g_main_context_iteration(None, 1)
        finally:
            if not expired:
                glib.g_source_remove(source_id)
            glib.g_main_context_release(None)
        return self._finished.get(job)
