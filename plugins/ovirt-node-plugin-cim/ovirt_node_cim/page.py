"""The CIM page: turn the CIM server on or off and set the password of its `cim` user; on a
Debian node, which has no CIM server, only the sentence saying so."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.api import Checkbox, Divider, Item, KeyValue, Label, Page, PageContext, Password, password_state
from ovirt_node_cim.config import NO_CIMOM, USER, cimom_packaged


def account(ctx: PageContext) -> str:
    return password_state(ctx.root, USER).summary()


class CimPage(Page):
    name = "cim"
    title = "CIM"
    rank = 45  # 3.x's place: after SNMP

    def layout(self) -> Sequence[Item]:
        if not cimom_packaged(self.ctx.node):
            # Nothing on a Debian node would read what the fields set: none are offered.
            return [Label(NO_CIMOM), Divider(), KeyValue(f"User {USER}", account)]
        return [
            Label(f"The CIM server (sblim-sfcb) lets CIM clients manage the node; they log in as the "
                  f"user {USER}."),
            Divider(),
            Checkbox("cim.enabled", "Enable CIM"),
            KeyValue(f"User {USER}", account),
            Password("cim.password", "Password:", help="At least 8 characters; empty keeps the current password",
                     enabled_when=lambda values: values.get("cim.enabled") == "yes"),
        ]
