"""Private D-Bus buses with python-dbusmock services standing in for system daemons.

Used by `make demo` (the setup TUI restarts units and powers off through these mocks, so the
host is never touched) and by the tests (`tests/dbus_env.py` wraps them in fixtures).
python-dbusmock comes with the project's test extras, which `make demo` installs too.

The mock server runs with both DBUS_SYSTEM_BUS_ADDRESS and DBUS_SESSION_BUS_ADDRESS
pointing at the private bus. Several dbusmock templates (systemd among them) import
`gi.repository.GLib` only to call `GLib.idle_add`; PyGObject is not a dependency, so when
`gi` is missing the mock is started through a bootstrap that provides a stand-in GLib with
idle_add/timeout_add/source_remove on libglib-2.0 via ctypes.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import escape

import dbus
import dbus.bus
import dbus.exceptions

from ovirt_node.core.namedtuple import NamedTuple


class MockBusUnavailable(RuntimeError):
    """The tools for a private bus are missing (tests skip; the demo says so)."""


MOCK_IFACE = "org.freedesktop.DBus.Mock"
START_TIMEOUT = 10.0

SYSTEMD_BUS_NAME = "org.freedesktop.systemd1"
SYSTEMD_PATH = "/org/freedesktop/systemd1"
SYSTEMD_MANAGER = "org.freedesktop.systemd1.Manager"


class MockService(NamedTuple):
    """A running dbusmock server: the bus address and its ``org.freedesktop.DBus.Mock``
    interface (``AddMethod``, ``GetCalls``, template extras such as ``AddMockUnit``).
    ``mock.proxy_object`` is the plain proxy of the main object."""

    address: str
    mock: Any


# --------------------------------------------------------------------------- the bus

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _stop(proc: subprocess.Popen[Any]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def private_dbus() -> Iterator[str]:
    """Run a private dbus-daemon; yield its address; stop it and remove its directory."""
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        raise MockBusUnavailable("dbus-daemon is not installed")
    # mkdtemp under /tmp keeps the socket path well below the 108-byte sun_path limit
    workdir = Path(tempfile.mkdtemp(prefix="ovn-dbus-"))
    config = workdir / "bus.conf"
    config.write_text(_BUS_CONFIG.format(socket=escape(str(workdir / "socket"))))
    proc = subprocess.Popen(
        [daemon, f"--config-file={config}", "--print-address", "--nofork"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT)
        address = proc.stdout.readline().strip() if ready else ""
        if not address:
            _stop(proc)
            raise RuntimeError(f"dbus-daemon did not start: {proc.stderr.read().strip() or 'no output'}")
        yield address
    finally:
        _stop(proc)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        shutil.rmtree(workdir, ignore_errors=True)


# --------------------------------------------------------------------------- dbusmock

# Run as `python -c _BOOTSTRAP <dbusmock arguments>`: provide gi.repository.GLib if
# PyGObject is missing, then hand over to `python -m dbusmock`.
_BOOTSTRAP = """\
import runpy, sys
try:
    from gi.repository import GLib  # noqa: F401
except ImportError:
    import ctypes, types
    lib = ctypes.CDLL("libglib-2.0.so.0")
    SourceFunc = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
    lib.g_idle_add.argtypes = [SourceFunc, ctypes.c_void_p]
    lib.g_idle_add.restype = ctypes.c_uint
    lib.g_timeout_add.argtypes = [ctypes.c_uint, SourceFunc, ctypes.c_void_p]
    lib.g_timeout_add.restype = ctypes.c_uint
    lib.g_source_remove.argtypes = [ctypes.c_uint]
    lib.g_source_remove.restype = ctypes.c_int
    callbacks = []  # a C callback must outlive its source; a short-lived mock can keep them all

    def wrap(func, args):
        callback = SourceFunc(lambda _data: 1 if func(*args) else 0)
        callbacks.append(callback)
        return callback

    glib = types.ModuleType("gi.repository.GLib")
    glib.idle_add = lambda func, *args, **_kw: lib.g_idle_add(wrap(func, args), None)
    glib.timeout_add = lambda ms, func, *args, **_kw: lib.g_timeout_add(ms, wrap(func, args), None)
    glib.source_remove = lib.g_source_remove
    repository = types.ModuleType("gi.repository")
    repository.GLib = glib
    gi = types.ModuleType("gi")
    gi.repository = repository
    sys.modules.update({"gi": gi, "gi.repository": repository, "gi.repository.GLib": glib})
runpy.run_module("dbusmock", run_name="__main__", alter_sys=True)
"""


def _stderr_text(stream: IO[bytes]) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace").strip() or "no output"


@contextmanager
def spawn_dbusmock(
    address: str,
    template: str,
    bus_name: str,
    object_path: str,
    parameters: str | None = None,
) -> Iterator[MockService]:
    """Run dbusmock's ``template`` on the bus at ``address`` until the block ends.

    ``bus_name``/``object_path`` are the template's BUS_NAME/MAIN_OBJ (used to wait until
    the mock answers); ``parameters`` is the template's JSON parameter string.
    """
    env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=address, DBUS_SESSION_BUS_ADDRESS=address)
    argv = [sys.executable, "-c", _BOOTSTRAP, "--template", template]
    if parameters is not None:
        argv += ["--parameters", parameters]
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        bus: Any = None
        try:
            bus = dbus.bus.BusConnection(address)
            deadline = time.monotonic() + START_TIMEOUT
            while not bus.name_has_owner(bus_name):
                if proc.poll() is not None:
                    raise RuntimeError(f"dbusmock {template} exited: {_stderr_text(stderr)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dbusmock {template} did not claim {bus_name}")
                time.sleep(0.02)
            proxy = bus.get_object(bus_name, object_path, introspect=False)
            try:
                # answered only once the template is loaded and the mock's loop runs
                proxy.Introspect(dbus_interface="org.freedesktop.DBus.Introspectable")
            except dbus.exceptions.DBusException as exc:
                raise RuntimeError(
                    f"dbusmock {template} is not answering: {exc}; {_stderr_text(stderr)}"
                ) from exc
            yield MockService(address, dbus.Interface(proxy, MOCK_IFACE))
        finally:
            if bus is not None:
                bus.close()
            _stop(proc)


# --------------------------------------------------------------------------- systemd


def systemd_job_code(result: str = "done", active_state: str | None = "active", finish: bool = True) -> str:
    """dbusmock method code for a Manager job method ``(s name, s mode) -> o job``.

    Unknown units raise ``NoSuchUnit`` like systemd.  The job's ``JobNew`` and
    ``JobRemoved(…, result)`` are emitted from an idle callback, i.e. after the reply,
    as systemd does; ``finish=False`` never emits ``JobRemoved`` (a hanging job).
    ``active_state`` (if not None) is set on the unit.
    """
    lines = [
        "from gi.repository import GLib",
        "name = str(args[0])",
        "if name not in self.units:",
        "    raise dbus.exceptions.DBusException(",
        "        f'Unit {name} not found.', name='org.freedesktop.systemd1.NoSuchUnit')",
        "job_id = self.next_job_id",
        "self.next_job_id += 1",
        "ret = dbus.ObjectPath(f'/org/freedesktop/systemd1/job/{job_id}')",
        f"GLib.idle_add(self.EmitSignal, {SYSTEMD_MANAGER!r}, 'JobNew', 'uos', [job_id, ret, name])",
    ]
    if finish:
        lines.append(
            f"GLib.idle_add(self.EmitSignal, {SYSTEMD_MANAGER!r}, 'JobRemoved', 'uoss',"
            f" [job_id, ret, name, {result!r}])"
        )
    if active_state is not None:
        lines.append(
            "objects[self.units[name]].UpdateProperties("
            f"'org.freedesktop.systemd1.Unit', {{'ActiveState': {active_state!r}}})"
        )
    return "\n".join(lines)


_GET_UNIT_CODE = """\
name = str(args[0])
if name not in self.units:
    raise dbus.exceptions.DBusException(
        f'Unit {name} not loaded.', name='org.freedesktop.systemd1.NoSuchUnit')
ret = dbus.ObjectPath(self.units[name])
"""


def add_systemd_extras(mock: Any) -> None:
    """Fill the gaps of dbusmock's systemd template (0.38): it has StartUnit/StopUnit
    but no RestartUnit/ReloadOrRestartUnit, and its GetUnit fails with a Python KeyError
    instead of ``NoSuchUnit``.  ``Subscribe`` is deliberately left out (clients must cope)."""
    mock.AddMethod(SYSTEMD_MANAGER, "RestartUnit", "ss", "o", systemd_job_code())
    mock.AddMethod(SYSTEMD_MANAGER, "ReloadOrRestartUnit", "ss", "o", systemd_job_code())
    mock.AddMethod(SYSTEMD_MANAGER, "GetUnit", "s", "o", _GET_UNIT_CODE)
