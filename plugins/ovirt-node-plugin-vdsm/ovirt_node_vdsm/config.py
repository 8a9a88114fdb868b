"""The oVirt Engine area: which engine manages the node, and the registration with it.

Keys (3.x names): the management server and port, and the SHA-256 fingerprint of the engine's
CA that the operator accepted. With all three, Save (or the CLI, or the kernel arguments)
registers the node:

1. fetch the engine's CA and store it only if its fingerprint is the accepted one;
2. fetch the engine's SSH key over HTTPS checked against that CA and authorize it for root
   (the engine deploys the host over SSH);
3. ask the engine's host-register service to add the node;
4. set MANAGED_BY / MANAGED_IFNAMES (the management bridge `ovirtmgmt`) in /etc/default/ovirt,
   which turns the Network page read-only.

Without a fingerprint only the address is recorded (the kernel argument
`management_server=` alone: 3.x never trusted an engine blindly either). Clearing the
server forgets the engine: the CA and the MANAGED_* settings are removed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.api import (
    Context,
    Empty,
    FQDNOrIP,
    KernelArgHandler,
    Key,
    Kind,
    PlatformNames,
    Port,
    Regex,
    Section,
    Step,
    StepRun,
    WriteDefaults,
    split_host_port,
    write_file_atomic,
)
from ovirt_node_vdsm import pki

MANAGEMENT_BRIDGE = "ovirtmgmt"
FINGERPRINT = Regex(r"([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{64}",
                    "a SHA-256 fingerprint (64 hex digits, with or without colons)")
NAMES: PlatformNames = {
    "el": {"paths": {"engine-ca": "/etc/pki/vdsm/certs/cacert.pem",
                     "root-authorized-keys": "/root/.ssh/authorized_keys"}},
}


@dataclass(frozen=True)
class EngineSettings:
    server: str
    port: int
    fingerprint: str


def node_name(ctx: Context) -> str:
    """The name the node registers under: /etc/hostname under the root, else the host's."""
    path = ctx.root("/etc/hostname")
    name = path.read_text(errors="replace").strip() if path.exists() else ""
    return name.splitlines()[0] if name else os.uname().nodename


def managed_by(server: str, port: int) -> str:
    return f"oVirt Engine {pki.base_url(server, port)}"


class EngineRegistration(Section):
    name = "engine"
    title = "oVirt Engine"
    settings = EngineSettings
    platform_names = NAMES
    keys = (
        Key("engine.server", "OVIRT_MANAGEMENT_SERVER", Empty() | FQDNOrIP(), Kind.TEXT, "",
            "the oVirt Engine that manages the node (empty: none)"),
        Key("engine.port", "OVIRT_MANAGEMENT_PORT", Port(), Kind.INT, "443", "the engine's HTTPS port"),
        Key("engine.fingerprint", "OVIRT_MANAGEMENT_SERVER_FINGERPRINT", Empty() | FINGERPRINT, Kind.TEXT, "",
            "SHA-256 fingerprint of the engine's CA certificate, as accepted (registration needs it)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        """The fingerprint of the CA the node trusts now; the address lives in the defaults."""
        ca = ctx.root(self.platform(ctx).path("engine-ca"))
        try:
            return {"engine.fingerprint": pki.fingerprint(ca.read_text())}
        except (OSError, ValueError):
            return {}

    def plan(self, ctx: Context, old: EngineSettings, new: EngineSettings) -> Sequence[Step]:
        names = self.platform(ctx)
        ca = names.path("engine-ca")
        if not new.server:
            return [RemoveFile(ca, title="Forget the engine's CA certificate"),
                    WriteDefaults({"MANAGED_BY": None, "MANAGED_IFNAMES": None}, title="Mark the node as unmanaged")]
        if not new.fingerprint:
            return []  # only the address is recorded: nothing is trusted without the fingerprint
        return [
            TrustEngineCA(new.server, new.port, new.fingerprint, ca),
            AuthorizeEngineKey(new.server, new.port, ca, names.path("root-authorized-keys")),
            RegisterHost(new.server, new.port, ca, node_name(ctx)),
            WriteDefaults({"MANAGED_BY": managed_by(new.server, new.port), "MANAGED_IFNAMES": MANAGEMENT_BRIDGE},
                          title="Mark the node as managed by the engine"),
        ]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        def server(value: str | None) -> dict[str, str]:
            host, port = split_host_port(value or "")
            return {"engine.server": host, **({"engine.port": port} if port is not None else {})}

        return {
            "management_server": server,
            "management_port": lambda v: {"engine.port": v or ""},
            "management_server_fingerprint": lambda v: {"engine.fingerprint": v or ""},
        }


@dataclass(frozen=True)
class TrustEngineCA(Step):
    """Fetch the engine's CA; store it only if its fingerprint is the accepted one."""

    server: str
    port: int
    fingerprint: str
    path: str
    title: str = "Fetch the engine's CA certificate and check its fingerprint"

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def apply(self, ctx: Context, run: StepRun) -> None:
        pem = pki.fetch_ca(self.server, self.port)
        got, accepted = pki.fingerprint(pem), pki.normalize(self.fingerprint)
        if got != accepted:
            raise pki.EngineError(f"the engine's CA certificate has the fingerprint {got}, not the accepted "
                                  f"{accepted}: it is not trusted")
        write_file_atomic(ctx.root(self.path), pem.encode())


@dataclass(frozen=True)
class AuthorizeEngineKey(Step):
    """Let the engine log in as root over SSH (it deploys the host that way)."""

    server: str
    port: int
    ca: str
    path: str
    title: str = "Authorize the engine's SSH key for root"

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def apply(self, ctx: Context, run: StepRun) -> None:
        key = pki.fetch(self.server, self.port, pki.SSH_RESOURCE, cafile=str(ctx.root(self.ca))).decode().strip()
        if not key.startswith(("ssh-", "ecdsa-")) or "\n" in key:
            raise pki.EngineError("the engine's SSH key is not one OpenSSH public key line")
        target = ctx.root(self.path)
        lines = target.read_text().splitlines() if target.exists() else []
        if key not in lines:
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            write_file_atomic(target, "".join(f"{line}\n" for line in [*lines, key]).encode(), 0o600)


@dataclass(frozen=True)
class RegisterHost(Step):
    """Ask the engine to add this node (its certificate checked against the stored CA)."""

    server: str
    port: int
    ca: str
    name: str
    title: str = "Register the node with the engine"

    def describe(self) -> str:
        return f"{self.title} ({pki.base_url(self.server, self.port)}, as {self.name})"

    def apply(self, ctx: Context, run: StepRun) -> None:
        pki.fetch(self.server, self.port, pki.register_path(self.name, self.name), cafile=str(ctx.root(self.ca)))


@dataclass(frozen=True)
class RemoveFile(Step):
    """Delete a file, unpersisting it first; a rollback puts both back. It names no file in
    `touches()`: the engine would persist a path that is gone; it keeps its own copy instead."""

    path: str
    title: str = ""

    def skip_reason(self, ctx: Context) -> str | None:
        return None if ctx.root(self.path).exists() else "not there"

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.store.enabled() and ctx.store.is_persisted(self.path):
            ctx.store.unpersist(self.path)
            run.on_rollback(lambda: ctx.store.persist(self.path))
        target = ctx.root(self.path)
        content = target.read_bytes()
        run.on_rollback(lambda: write_file_atomic(target, content))  # undone first: written back, then persisted
        target.unlink()
