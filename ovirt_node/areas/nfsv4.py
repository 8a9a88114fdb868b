"""NFSv4: the ID-mapping domain (`Domain` in the `[General]` section of /etc/idmapd.conf).

augeas-lenses has no idmapd lens; the file is an INI file with `#`/`;` comments, which the
stock Sssd lens (IniFile-based, sections as `target` nodes) reads and writes faithfully.
An empty domain comments the line out (`#Domain = old.example.com`), as 3.x did, so nfsidmap
falls back to the host's DNS domain and the old value stays visible. A new `Domain` line goes
right after a commented-out one when the file has it (the stock files of both families do).
The ID-mapping daemon is restarted and, on the running host, its kernel keyring cache cleared.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Section
from ovirt_node.core.platform import detect
from ovirt_node.core.steps import AugeasEdit, RestartUnit, RunCommand
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.core.valid import EmptyOr, Hostname

log = logging.getLogger(__name__)

IDMAPD_CONF = LensFile("Sssd", "/etc/idmapd.conf")
_GENERAL = files_node(IDMAPD_CONF.path) + "/target[. = 'General']"
_COMMENTED = "#comment[. =~ regexp('Domain[ \t]*=.*')]"


@dataclass(frozen=True)
class Nfsv4Settings:
    domain: str


class IdmapDomain(Hostname):
    """A single label is a domain to idmapd ("localdomain", common and accepted by 3.x)."""

    description = "a domain name (e.g. example.com, or one label such as localdomain)"


def write_domain(aug: Augeas, domain: str) -> None:
    active = f"{_GENERAL}/Domain"
    if not domain:
        old = aug.get(active)
        if old is not None:
            aug.remove(active)
            # Appended: a comment inserted among others would take over their spacing.
            aug.set(f"{_GENERAL}/#comment[last()+1]", f"Domain = {old}")
        return
    if not aug.exists(_GENERAL):
        aug.set(files_node(IDMAPD_CONF.path) + "/target[last()+1]", "General")
    if not aug.exists(active) and aug.exists(f"{_GENERAL}/{_COMMENTED}"):
        aug.insert(f"{_GENERAL}/{_COMMENTED}[last()]", "Domain", before=False)
    aug.set(active, domain)


@dataclass(frozen=True)
class ClearIdmapCache(RunCommand):
    """`nfsidmap -c`: drop the kernel's cached ID mappings of the old domain. Only the running
    host has them, and a failure only delays the new domain until the cache expires."""

    def skip_reason(self, ctx: Context) -> str | None:
        return None if ctx.root.is_host else f"root prefix {ctx.root}: the ID-mapping cache is the running host's"

    def apply(self, ctx: Context, run: StepRun) -> None:
        result = ctx.runner(self.argv, check=False)
        if not result.ok:
            log.warning("%s failed (%s); cached ID mappings expire on their own", " ".join(self.argv),
                        result.stderr.strip() or f"exit {result.returncode}")


class Nfsv4(Section):
    name = "nfsv4"
    title = "NFSv4"
    settings = Nfsv4Settings
    lens_files = (IDMAPD_CONF,)
    keys = (
        Key("nfsv4.domain", "OVIRT_NFSV4_DOMAIN", EmptyOr(IdmapDomain()),
            help="NFSv4 ID-mapping domain (empty: the host's DNS domain)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        if not ctx.root(IDMAPD_CONF.path).exists():
            return {}
        return {"nfsv4.domain": ctx.aug.get(f"{_GENERAL}/Domain") or ""}

    def plan(self, ctx: Context, old: Nfsv4Settings, new: Nfsv4Settings) -> Sequence[Step]:
        platform = detect(ctx.root)
        return [
            AugeasEdit("Set the NFSv4 domain", IDMAPD_CONF, lambda aug: write_domain(aug, new.domain)),
            ClearIdmapCache("Clear the NFSv4 ID-mapping cache", [platform.tool("nfsidmap"), "-c"], runtime=True),
            # NFS clients map IDs through nfsidmap (the cache cleared above); rpc.idmapd runs
            # only beside an NFS server, and Debian's unit cannot start without one.
            RestartUnit(platform.unit("idmapd"), if_running=True),
        ]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {"nfsv4_domain": lambda v: {"nfsv4.domain": v or ""}}
