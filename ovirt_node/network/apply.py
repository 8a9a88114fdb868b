"""The steps that apply a network change: write the changed keyfiles, then load and activate
exactly those connections in NetworkManager inside a checkpoint, and wait for the operator.

The checkpoint's rollback timeout is what keeps a node reachable: if the change cuts the
operator off (or this process dies), NetworkManager restores the devices by itself. When the
run was given a confirmation (`Transaction.run(..., confirm=Confirmation(ask, timeout))`) the
step waits for the operator once the connections are up; no answer within the timeout fails
the step, so the transaction rolls back: NetworkManager restores the devices from the
checkpoint and the transaction puts the keyfiles and the defaults file back byte for byte.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ovirt_node.core.aug import files_node
from ovirt_node.core.context import Context
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.network.keyfile import write_keyfile
from ovirt_node.network.model import Iface

log = logging.getLogger(__name__)

#: Seconds a connection may take to come up (DHCP included).
ACTIVATION_TIMEOUT = 45.0
#: Seconds NetworkManager waits before it rolls back by itself when nobody confirmed; the
#: front doors that can ask (TUI, CLI on a terminal) use this unless told otherwise.
DEFAULT_CONFIRM_TIMEOUT = 60
_ORDER = {"bridge": 0, "bond": 1, "ethernet": 2, "vlan": 3}


class NotConfirmed(RuntimeError):
    """Nobody confirmed the new network configuration in time."""


#: Asked once the connections are up: True keeps them; False (or no answer within the
#: timeout, which the callback enforces) rolls back (a Confirmation's `ask`).
Confirm = Callable[[int], bool | None]  # True: keep; False: declined; None: no answer in time


@dataclass(frozen=True)
class WriteKeyfiles(Step):
    """Create or update the keyfiles of changed connections, delete those of removed ones."""

    changed: Sequence[Iface]
    paths: dict[str, str]
    removed: Sequence[str]
    kinds: dict[str, str]
    title: str = "Write the NetworkManager connections"

    def describe(self) -> str:
        names = [i.name for i in self.changed]
        gone = [os.path.basename(p) for p in self.removed]
        return f"{self.title}: " + ", ".join([*(f"write {n}" for n in names), *(f"delete {g}" for g in gone)])

    def touches(self) -> Sequence[str]:
        return [*self.paths.values(), *self.removed]

    def preview(self, ctx: Context) -> dict[str, str | None]:
        for iface in self.changed:
            write_keyfile(ctx.aug, iface, self.paths[iface.name], self.kinds.get(iface.master, "bond"))
        for path in self.removed:
            ctx.aug.remove(files_node(path))
        return {path: ctx.aug.render(path) for path in self.touches()}

    def apply(self, ctx: Context, run: StepRun) -> None:
        for iface in self.changed:
            write_keyfile(ctx.aug, iface, self.paths[iface.name], self.kinds.get(iface.master, "bond"))
        for path in self.removed:
            ctx.aug.remove(files_node(path))
        for directory in {os.path.dirname(p) for p in self.paths.values()}:
            # Augeas does not make directories; a fresh tree (the installer's) may lack it.
            os.makedirs(ctx.root(directory), mode=0o700, exist_ok=True)
        ctx.aug.save()
        for path in self.paths.values():  # NetworkManager ignores keyfiles others can read
            os.chmod(ctx.root(path), 0o600)


@dataclass(frozen=True)
class ActivateConnections(Step):
    """Load and activate the changed connections (iface, keyfile, uuid, kind) in a checkpoint;
    with the run's confirmation, keep them only if the operator says so in time."""

    connections: Sequence[tuple[str, str, str, str]]
    removed: Sequence[str]
    title: str = "Activate the changed connections (NetworkManager checkpoint)"

    def describe(self) -> str:
        names = ", ".join(c[0] for c in self.connections) or "none"
        return f"{self.title}: {names}; {len(self.removed)} removed"

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason()

    def apply(self, ctx: Context, run: StepRun) -> None:
        from ovirt_node.system.nm import NetworkManager, NetworkManagerError

        confirm = run.confirmation
        waits = confirm.timeout if confirm is not None else 0
        with NetworkManager.connect(ctx.bus) as nm:
            devices = [d for name, *_ in self.connections if (d := nm.device(name))]
            checkpoint = nm.checkpoint_create(devices, int(waits + ACTIVATION_TIMEOUT))
            undo = run.on_rollback(lambda: rollback_checkpoint(ctx, checkpoint))
            files = [str(ctx.root(c[1])) for c in self.connections] + [str(ctx.root(p)) for p in self.removed]
            failed = nm.load_connections(files)
            if failed:
                raise NetworkManagerError(f"NetworkManager could not load {', '.join(failed)}")
            for name, _path, uuid, _kind in sorted(self.connections, key=lambda c: _ORDER.get(c[3], 9)):
                device = nm.device(name)
                active = nm.activate(nm.connection_by_uuid(uuid), device)
                nm.wait_activated(active, device, ACTIVATION_TIMEOUT)
            answer = confirm.ask(confirm.timeout) if confirm is not None else True
            if answer is False:
                raise NotConfirmed("the new network configuration was rolled back at the operator's request")
            if not answer and confirm is not None:
                raise NotConfirmed(f"the new network configuration was not confirmed within "
                                   f"{confirm.timeout} s")
            nm.checkpoint_destroy(checkpoint)
            run.cancel(undo)  # kept: there is no checkpoint left to roll back to


def rollback_checkpoint(ctx: Context, checkpoint: str) -> None:
    """Put the devices back as the checkpoint has them."""
    from ovirt_node.system.nm import NetworkManager, NetworkManagerError

    with NetworkManager.connect(ctx.bus) as nm:
        try:
            nm.checkpoint_rollback(checkpoint)
        except NetworkManagerError as exc:  # it may have rolled back on its own already
            log.warning("checkpoint rollback: %s", exc)


@dataclass(frozen=True)
class NmReload(Step):
    """Make NetworkManager re-read its configuration (the global DNS servers)."""

    title: str = "Reload NetworkManager's configuration"

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason()

    def apply(self, ctx: Context, run: StepRun) -> None:
        from ovirt_node.system.nm import NetworkManager

        with NetworkManager.connect(ctx.bus) as nm:
            nm.reload()


@dataclass(frozen=True)
class SetHostname(Step):
    """Tell hostnamed (the running host name; it writes /etc/hostname as well)."""

    hostname: str
    title: str = "Set the running host name (hostnamed)"

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason()

    def apply(self, ctx: Context, run: StepRun) -> None:
        from ovirt_node.system.hostnamed import Hostnamed

        with Hostnamed.connect(ctx.bus) as hostnamed:
            hostnamed.set_hostname(self.hostname)
