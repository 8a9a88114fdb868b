"""The CIM area: the CIM server (a CIMOM: sblim-sfcb, as on 3.x) on or off, and the password
of the `cim` account that CIM clients log in with.

3.x created the user `cim` (no login shell, its own group, a member of the CIMOM's group
`sfcb` so that the server's PAM login accepts it), set its password and restarted the
server. Here the account is made with `useradd` (`--root` under a root prefix), the password
goes to `chpasswd` on stdin (never an argument, a log line or /etc/default/ovirt), and the
server unit is enabled at boot and restarted, or stopped and disabled.

Debian ships no CIMOM (sblim-sfcb is not packaged there, nor any other CIM server), so a
Debian node has nothing to configure: there the keys are refused with a sentence saying so
(`ovirt-node-config`, answers files, kernel arguments) and the page offers no field, rather
than creating an account and enabling a unit nothing provides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ovirt_node.api import (
    Boolean,
    Context,
    Empty,
    EnableUnit,
    KernelArgHandler,
    Key,
    Kind,
    PlatformNames,
    RestartUnit,
    RunCommand,
    Section,
    SetAdminPassword,
    Step,
    StopUnit,
    Text,
    password_state,
    switch_arg,
    unit_enabled,
    user_exists,
)

USER = "cim"
CIMOM_GROUP = "sfcb"  # the server's own group: its PAM login admits members
MIN_PASSWORD = 8
ACCOUNT_FILES = ("/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow")

#: What a Debian node says instead of configuring CIM (the page, the refusals, the keys' help).
NO_CIMOM = ("No CIM server exists for Debian nodes (the CIMOM, sblim-sfcb, is not packaged for Debian), "
            "so CIM cannot be enabled on this node.")
NOT_ON_DEBIAN = "not available on Debian nodes: no CIM server exists for Debian"

NAMES: PlatformNames = {
    "el": {
        "units": {"cimom": "sblim-sfcb.service"},
        "paths": {"nologin": "/sbin/nologin"},
        "tools": {"useradd": "useradd"},
    },
    "debian": {"paths": {"nologin": "/usr/sbin/nologin"}},
}


@dataclass(frozen=True)
class CimSettings:
    enabled: bool
    password: str = field(repr=False)


def has_password(ctx: Context) -> bool:
    """The cim account exists and has a usable password (not empty, not locked)."""
    state = password_state(ctx.root, USER)
    return state.exists and not state.locked


class Cim(Section):
    name = "cim"
    title = "CIM"
    settings = CimSettings
    platform_names = NAMES
    keys = (
        Key("cim.enabled", "OVIRT_CIM_ENABLED", Boolean(), Kind.BOOL, "no",
            f"run the CIM server (sblim-sfcb) for CIM clients logging in as the user cim ({NOT_ON_DEBIAN})"),
        Key("cim.password", None, Empty() | Text(min_length=MIN_PASSWORD), Kind.TEXT, "",
            f"new password of the user {USER} (never stored; set with chpasswd; empty keeps it; {NOT_ON_DEBIAN})",
            secret=True),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        on = user_exists(ctx.root, USER) and unit_enabled(ctx, self.platform(ctx).unit("cimom"))
        return {"cim.enabled": "yes" if on else "no"}  # the password is write-only

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        if not cimom_packaged(ctx):
            asked = {"cim.enabled": values.get("cim.enabled") == "yes",
                     "cim.password": bool(values.get("cim.password"))}
            return {key: NO_CIMOM for key, wanted in asked.items() if wanted}
        if values.get("cim.enabled") == "yes" and not values.get("cim.password") and not has_password(ctx):
            return {"cim.password": f"CIM needs a password for the user {USER} to be enabled"}
        return {}

    def plan(self, ctx: Context, old: CimSettings, new: CimSettings) -> Sequence[Step]:
        names = self.platform(ctx)
        unit = names.unit("cimom")
        if not new.enabled:
            return [StopUnit(unit, title="Stop the CIM server"), EnableUnit(unit, False)]
        steps: list[Step] = []
        if not user_exists(ctx.root, USER):
            steps.append(self._add_user(ctx))
        if new.password:
            steps.append(SetAdminPassword(USER, new.password))
        return [*steps, EnableUnit(unit), RestartUnit(unit, title="Restart the CIM server")]

    def _add_user(self, ctx: Context) -> Step:
        names = self.platform(ctx)
        root = [] if ctx.root.is_host else ["--root", str(ctx.root.prefix)]
        groups = ["--groups", CIMOM_GROUP] if _group_exists(ctx, CIMOM_GROUP) else []
        argv = [names.tool("useradd"), *root, "--system", "--no-create-home", "--user-group",
                "--shell", names.path("nologin"), "--comment", "CIM clients", *groups, USER]
        files = [f for f in ACCOUNT_FILES if ctx.root(f).exists()]
        return RunCommand(f"Create the user {USER}", argv, files=files)

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {
            "cim_enabled": switch_arg("cim_enabled", {"cim.enabled": "yes"}, {"cim.enabled": "no"}),
            # 3.x's auto-install: a password turns CIM on.
            "cim_passwd": lambda v: {"cim.password": v or "", "cim.enabled": "yes"},
        }


def _group_exists(ctx: Context, group: str) -> bool:
    path = ctx.root("/etc/group")
    lines = path.read_text(errors="replace").splitlines() if path.exists() else []
    return any(line.split(":", 1)[0] == group for line in lines)


def cimom_packaged(ctx: Context) -> bool:
    """Whether the node's distribution has a CIM server to run: the EL family's sblim-sfcb;
    Debian (and what derives from it) has none."""
    return "debian" not in Cim().platform(ctx).chain
