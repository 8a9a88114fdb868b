"""The CIM page: turn the CIM server on or off and set the password of its `cim` user."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.api import Checkbox, Divider, Item, KeyValue, Label, Page, PageContext, Password, password_state
from ovirt_node_cim.config import USER


def account(ctx: PageContext) -> str:
    return password_state(ctx.root, USER).summary()


class CimPage(Page):
    name = "cim"
    title = "CIM"
    rank = 45  # 3.x's place: after SNMP

    def layout(self) -> Sequence[Item]:
        return [
            Label(f"The CIM server (sblim-sfcb) lets CIM clients manage the node; they log in as the "
                  f"user {USER}."),
            Divider(),
            Checkbox("cim.enabled", "Enable CIM"),
            KeyValue(f"User {USER}", account),
            Password("cim.password", "Password:", help="At least 8 characters; empty keeps the current password",
                     enabled_when=lambda values: values.get("cim.enabled") == "yes"),
        ]
