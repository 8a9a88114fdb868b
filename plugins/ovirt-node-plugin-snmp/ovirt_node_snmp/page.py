"""The SNMP page: turn the agent on or off and set its SNMPv3 user's password."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.api import (
    Checkbox,
    Divider,
    Item,
    KeyValue,
    Label,
    Page,
    PageContext,
    Password,
    debian_packages,
    missing_packages,
)
from ovirt_node_snmp.config import USER, Snmp


def user_state(ctx: PageContext) -> str:
    return f"{USER} (SHA, AES)" if ctx.section(Snmp).user_configured(ctx.node) else "none yet"


def agent_package(ctx: PageContext) -> str:
    """Whether the node has the agent this page configures (the packages the plugin declares)."""
    missing = missing_packages(ctx.root, debian_packages("ovirt_node_snmp"))
    return f"{', '.join(missing)} is not installed on this node" if missing else "installed"


class SnmpPage(Page):
    name = "snmp"
    title = "SNMP"
    rank = 40  # 3.x's place: after Keyboard

    def layout(self) -> Sequence[Item]:
        return [
            Label("The SNMP agent answers SNMPv3 requests of the user root (SHA authentication, "
                  "AES privacy) on UDP port 161."),
            KeyValue("Agent", agent_package),
            Divider(),
            Checkbox("snmp.enabled", "Enable SNMP"),
            KeyValue("SNMPv3 user", user_state),
            Password("snmp.password", "Password:", strength_hint=False,
                     help="At least 8 characters without spaces; empty keeps the current password",
                     enabled_when=lambda values: values.get("snmp.enabled") == "yes"),
        ]
