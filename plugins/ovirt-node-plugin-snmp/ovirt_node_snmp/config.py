"""The SNMP area: snmpd on or off, and the password of its SNMPv3 user.

net-snmp has no Augeas lens, so its two files are edited line by line, keeping every line
that is not ours:

* the agent's configuration (/etc/snmp/snmpd.conf) gets `rouser root priv` (read access for
  the user, only with authentication and privacy) and listens on UDP port 161;
* the user itself is a `createUser root SHA "pw" AES "pw"` line in snmpd's persistent file
  (/var/lib/net-snmp/snmpd.conf on EL, /var/lib/snmp/snmpd.conf on Debian), which snmpd
  reads at start and turns into a `usmUser` line with localized keys. snmpd rewrites that
  file when it stops, so it is stopped before the file is written and started after.

The password is a secret key: never in /etc/default/ovirt, a log or a command line; the
persistent file is created 0600, as snmpd keeps it.
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
    Regex,
    RestartUnit,
    Section,
    Step,
    StopUnit,
    WriteFile,
    changed_fields,
    unit_enabled,
)

USER = "root"  # 3.x's SNMPv3 user name
ACCESS = f"rouser {USER} priv"
LISTEN = "agentaddress udp:161,udp6:[::]:161"
MIN_PASSWORD = 8
PASSWORD = Regex(rf"\S{{{MIN_PASSWORD},}}", f"at least {MIN_PASSWORD} characters without spaces")

NAMES: PlatformNames = {
    "el": {
        "units": {"snmpd": "snmpd.service"},
        "paths": {"snmpd-conf": "/etc/snmp/snmpd.conf", "snmpd-persistent": "/var/lib/net-snmp/snmpd.conf"},
    },
    "debian": {"paths": {"snmpd-persistent": "/var/lib/snmp/snmpd.conf"}},
}


@dataclass(frozen=True)
class SnmpSettings:
    enabled: bool
    password: str = field(repr=False)


def quoted(secret: str) -> str:
    """A word as net-snmp's config parser reads it back: in double quotes, `\\` escapes."""
    return '"' + secret.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _user_of(line: str) -> str | None:
    """The user a `createUser` or `usmUser` line of the persistent file defines."""
    words = line.split()
    if len(words) > 1 and words[0] == "createUser":
        return words[1].strip('"')
    if len(words) > 4 and words[0] == "usmUser":
        name = words[4]
        if name.startswith("0x"):
            try:
                return bytes.fromhex(name[2:]).decode(errors="replace").rstrip("\0")
            except ValueError:
                return None
        return name.strip('"')
    return None


def without_user(text: str) -> list[str]:
    return [line for line in text.splitlines() if _user_of(line) != USER]


def _is_access(line: str) -> bool:
    words = line.split()
    return len(words) > 1 and words[0] == "rouser" and words[1] == USER


def _is_listen(line: str) -> bool:
    return line.split()[:1] == ["agentaddress"] or line.split()[:1] == ["agentAddress"]


def agent_config(text: str, enabled: bool) -> str:
    """snmpd.conf with the user's access line (and UDP 161 on every address) or without it."""
    lines = [line for line in text.splitlines() if not _is_access(line)]
    if enabled:
        lines = [line for line in lines if not _is_listen(line)]
        lines += ["# SNMPv3 access, managed by ovirt-node (SNMP page / ovirt-node-config snmp.*)", LISTEN, ACCESS]
    else:
        lines = [line for line in lines if not line.startswith("# SNMPv3 access, managed by ovirt-node")]
    return "\n".join(lines) + "\n"


def _read(ctx: Context, path: str) -> str:
    file = ctx.root(path)
    return file.read_text(errors="replace") if file.exists() else ""


class Snmp(Section):
    name = "snmp"
    title = "SNMP"
    settings = SnmpSettings
    platform_names = NAMES
    keys = (
        Key("snmp.enabled", "OVIRT_SNMP_ENABLED", Boolean(), Kind.BOOL, "no",
            "run the SNMP agent (snmpd) with the SNMPv3 user root (SHA, AES), on UDP port 161"),
        Key("snmp.password", None, Empty() | PASSWORD, Kind.TEXT, "",
            f"new password of the SNMPv3 user {USER} (authentication and privacy; never stored; "
            "empty keeps the current one)", secret=True),
    )

    def user_configured(self, ctx: Context) -> bool:
        persistent = self.platform(ctx).path("snmpd-persistent")
        return any(_user_of(line) == USER for line in _read(ctx, persistent).splitlines())

    def read(self, ctx: Context) -> dict[str, str | None]:
        names = self.platform(ctx)
        conf = _read(ctx, names.path("snmpd-conf"))
        on = (unit_enabled(ctx, names.unit("snmpd")) and any(_is_access(x) for x in conf.splitlines())
              and self.user_configured(ctx))
        return {"snmp.enabled": "yes" if on else "no"}  # the password is write-only

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        wants = values.get("snmp.enabled") == "yes"
        if wants and not values.get("snmp.password") and not self.user_configured(ctx):
            return {"snmp.password": f"SNMP needs a password to be enabled ({PASSWORD.description})"}
        return {}

    def plan(self, ctx: Context, old: SnmpSettings, new: SnmpSettings) -> Sequence[Step]:
        names = self.platform(ctx)
        unit, conf, persistent = names.unit("snmpd"), names.path("snmpd-conf"), names.path("snmpd-persistent")
        users = without_user(_read(ctx, persistent))
        if new.enabled and new.password:
            users.append(f"createUser {USER} SHA {quoted(new.password)} AES {quoted(new.password)}")
        steps: list[Step] = [StopUnit(unit, title="Stop the SNMP agent")]
        if users != _read(ctx, persistent).splitlines():
            steps.append(WriteFile(persistent, "\n".join(users) + "\n" if users else "", mode=0o600,
                                   title=f"Write the SNMPv3 user {USER}" if new.enabled else "Remove the SNMPv3 user"))
        agent = agent_config(_read(ctx, conf), new.enabled)
        if agent != _read(ctx, conf) or "enabled" in changed_fields(old, new):
            steps.append(WriteFile(conf, agent, title="Configure the SNMP agent's access"))
        steps.append(EnableUnit(unit, new.enabled))
        if new.enabled:
            steps.append(RestartUnit(unit, title="Start the SNMP agent"))
        return steps

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        # 3.x's auto-install: a password turns SNMP on.
        return {"snmp_password": lambda v: {"snmp.password": v or "", "snmp.enabled": "yes"}}
