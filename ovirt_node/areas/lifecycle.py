"""Lifecycle reports: the URL the node POSTs one JSON event to at each step of its life
(install, first boot, boot, upgrade, rollback, health), so that a fleet sees every node's state
without logging in. Sending is ovirt_node/report/lifecycle.py; this is only the setting.

The value lives in /etc/default/ovirt alone (`OVIRT_REPORT_URL`): no daemon reads a file of its
own for it, so there is nothing to read back and nothing to restart. http and https only, and no
credentials in the URL (the validator refuses them: the defaults file is not a secret store).
The kernel argument `report_url=` sets it at install or first boot, as 3.x's arguments did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Section
from ovirt_node.core.valid import URL, Empty

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Step

KEY = "lifecycle.report_url"
OVIRT_NAME = "OVIRT_REPORT_URL"
KERNEL_ARG = "report_url"
REPORT_URL = Empty() | URL(("http", "https"))


@dataclass(frozen=True)
class LifecycleSettings:
    report_url: str


class Lifecycle(Section):
    name = "lifecycle"
    title = "Lifecycle reports"
    settings = LifecycleSettings
    keys = (
        Key(KEY, OVIRT_NAME, REPORT_URL, help="http(s) URL the node POSTs its install, boot, upgrade and "
            "rollback events to as JSON (empty: none)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        return {}  # the defaults file is the only place it is kept

    def plan(self, ctx: Context, old: LifecycleSettings, new: LifecycleSettings) -> Sequence[Step]:
        return []  # the engine's WriteDefaults (and its persist) is the whole change

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {KERNEL_ARG: lambda value: {KEY: value or ""}}
