"""The Puppet area: the agent's server, certname and run interval, and whether it runs.

They go to the `[agent]` section of puppet.conf through the stock Puppet lens (an IniFile
tree: `/files/<puppet.conf>/agent/server`); a value read back comes from `[agent]`, else
`[main]`, as the agent itself resolves them. An empty value removes the setting from both
(puppet's own default then applies: the server `puppet`, the certname the node's FQDN).
The file is /etc/puppetlabs/puppet/puppet.conf on EL (Puppet's packages) and
/etc/puppet/puppet.conf on Debian. The agent's unit is enabled at boot and restarted, or
stopped and disabled; the configuration directory is persisted.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.api import (
    Augeas,
    AugeasEdit,
    Boolean,
    Context,
    Empty,
    EnableUnit,
    FQDNOrIP,
    KernelArgHandler,
    Key,
    Kind,
    LensFile,
    PersistPath,
    PlatformNames,
    Regex,
    RestartUnit,
    Section,
    Step,
    StopUnit,
    files_node,
    unit_enabled,
)

LENS = "Puppet"
CONF_PATHS = ("/etc/puppetlabs/puppet/puppet.conf", "/etc/puppet/puppet.conf")
NAMES: PlatformNames = {
    "el": {"units": {"puppet": "puppet.service"}, "paths": {"puppet-conf": CONF_PATHS[0]}},
    "debian": {"paths": {"puppet-conf": CONF_PATHS[1]}},
}
#: Puppet's certname rule: lower-case letters, digits, dots, dashes and underscores.
CERTNAME = Regex(r"[a-z0-9._-]+", "a certificate name: lower-case letters, digits, '.', '-' and '_'")
#: Puppet's duration syntax: seconds, or a number with a unit.
DURATION = Regex(r"[0-9]+[smhdy]?", "a duration: seconds, or a number with s, m, h, d or y (30m)")
SETTINGS = {"puppet.server": "server", "puppet.certname": "certname", "puppet.runinterval": "runinterval"}


@dataclass(frozen=True)
class PuppetSettings:
    enabled: bool
    server: str
    certname: str
    runinterval: str


class Puppet(Section):
    name = "puppet"
    title = "Puppet"
    settings = PuppetSettings
    platform_names = NAMES
    lens_files = tuple(LensFile(LENS, p) for p in CONF_PATHS)
    keys = (
        Key("puppet.enabled", "OVIRT_PUPPET_ENABLED", Boolean(), Kind.BOOL, "no",
            "run the Puppet agent (enabled at boot)"),
        Key("puppet.server", "OVIRT_PUPPET_SERVER", Empty() | FQDNOrIP(), Kind.TEXT, "",
            "the Puppet server the agent asks for its catalog"),
        Key("puppet.certname", "OVIRT_PUPPET_CERTNAME", Empty() | CERTNAME, Kind.TEXT, "",
            "the agent's certificate name (empty: the node's FQDN)"),
        Key("puppet.runinterval", "OVIRT_PUPPET_RUNINTERVAL", Empty() | DURATION, Kind.TEXT, "30m",
            "how often the agent runs (30m, 1h, or seconds)"),
    )

    def conf(self, ctx: Context) -> LensFile:
        return LensFile(LENS, self.platform(ctx).path("puppet-conf"))

    def read(self, ctx: Context) -> dict[str, str | None]:
        values: dict[str, str | None] = {
            "puppet.enabled": "yes" if unit_enabled(ctx, self.platform(ctx).unit("puppet")) else "no"}
        path = self.conf(ctx).path
        if not ctx.root(path).exists():
            return values
        top = files_node(path)
        for key, setting in SETTINGS.items():
            found = ctx.aug.get(f"{top}/agent/{setting}") or ctx.aug.get(f"{top}/main/{setting}")
            values[key] = found or ("" if key != "puppet.runinterval" else None)
        return values

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        if values.get("puppet.enabled") == "yes" and not values.get("puppet.server"):
            return {"puppet.server": "the agent needs a Puppet server to be enabled"}
        return {}

    def plan(self, ctx: Context, old: PuppetSettings, new: PuppetSettings) -> Sequence[Step]:
        conf, unit = self.conf(ctx), self.platform(ctx).unit("puppet")
        edit = AugeasEdit("Configure the Puppet agent", conf, lambda aug: write_agent(aug, conf.path, new))
        steps: list[Step] = [edit]
        if new.enabled:
            # The whole configuration directory: on EL the agent's certificates live under it.
            keep = PersistPath(posixpath.dirname(conf.path))
            return [*steps, keep, EnableUnit(unit), RestartUnit(unit, title="Restart the Puppet agent")]
        return [*steps, StopUnit(unit, title="Stop the Puppet agent"), EnableUnit(unit, False)]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {
            # A server on the kernel command line means: run the agent against it.
            "puppet_server": lambda v: {"puppet.server": v or "", "puppet.enabled": "yes" if v else "no"},
            "puppet_certname": lambda v: {"puppet.certname": v or ""},
        }


def write_agent(aug: Augeas, path: str, new: PuppetSettings) -> None:
    top = files_node(path)
    for key, setting in SETTINGS.items():
        value = getattr(new, key.split(".", 1)[1])
        if value:
            aug.set(f"{top}/agent/{setting}", value)
        else:
            aug.remove(f"{top}/agent/{setting}")
            aug.remove(f"{top}/main/{setting}")
