"""Small pages on real engine keys (ssh.*, logging.rsyslog.*) for the UI tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from ovirt_node.areas.registry import all_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Transaction
from ovirt_node.core.valid import Text
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.page import (
    Button,
    Checkbox,
    Choice,
    Divider,
    Entry,
    Item,
    KeyValue,
    Label,
    Page,
    PageContext,
    PageUI,
    Password,
    Row,
    Table,
    Values,
)


def make_context(root: Path) -> PageContext:
    engine = Engine(Context(root=Root.at(root)), all_sections())
    return PageContext(engine=engine, machine=load_profile(profile_path("demo")), root=Root.at(root), demo=True)


@pytest.fixture
def page_ctx(node_root: Path) -> PageContext:
    return make_context(node_root)


def _server_set(values: Values) -> bool:
    return bool(values.get("logging.rsyslog.server"))


def _nic_rows(ctx: PageContext) -> Sequence[Row]:
    # Two NICs of the demo machine (it has three): the page must still fit 80x24.
    rows = [Row(n.name, (n.name, n.mac)) for n in ctx.machine.physical_nics()[:2]]
    return [*rows, Row("none0", ("none0", "-"), enabled=False, reason="no carrier")]


class RemoteLogPage(Page):
    """SSH and remote syslog: an Entry per key, a Checkbox, a Choice, a conditional group."""

    name = "remotelog"
    title = "Remote Logging"
    rank = 10
    keys = ("ssh.port", "ssh.pwauth", "logging.rsyslog.server", "logging.rsyslog.port", "logging.rsyslog.protocol")

    def layout(self) -> Sequence[Item]:
        return [
            Label("SSH and remote syslog."),
            Entry("ssh.port", "SSH port:"),
            Checkbox("ssh.pwauth", "Password logins"),
            Divider("-"),
            Entry("logging.rsyslog.server", "Syslog server:"),
            Entry("logging.rsyslog.port", "Syslog port:", enabled_when=_server_set),
            Choice("logging.rsyslog.protocol", "Protocol:", options=(("udp", "UDP"), ("tcp", "TCP")),
                   enabled_when=_server_set),
        ]

    def check(self, values: Values) -> dict[str, str]:
        if values.get("ssh.port") == values.get("logging.rsyslog.port") and _server_set(values):
            return {"logging.rsyslog.port": "must differ from the SSH port"}
        return {}


class EverythingPage(Page):
    """One of each item type, with page-local keys handled in save()."""

    name = "everything"
    title = "Everything"
    rank = 20
    keys = ("ssh.port",)
    saved: list[dict[str, str]] = []

    def layout(self) -> Sequence[Item]:
        return [
            Label("Every item type."),
            Entry("ssh.port", "SSH port:"),
            Password("local.secret", "Secret:", validator=Text(min_length=6)),
            Checkbox("local.flag", "A flag"),
            Choice("local.color", "Colour:", options=(("red", "Red"), ("blue", "Blue"))),
            Table("local.nic", "NIC:", columns=("Device", "MAC"), rows=_nic_rows),
            Table("local.nics", "NICs:", columns=("Device", "MAC"), rows=_nic_rows, multi=True),
            Button("Say hello", lambda ui: ui.info("Hello", "Hello from the page")),
            KeyValue("CPUs", lambda ctx: str(ctx.machine.cpus)),
            Divider(),
        ]

    def save(self, changes: Values) -> Transaction:
        type(self).saved.append(dict(changes))
        return super().save(changes)


class BrokenPage(Page):
    name = "broken"
    title = "Broken"

    def layout(self) -> Sequence[Item]:
        raise RuntimeError("layout exploded")


def hello(ui: PageUI) -> None:
    ui.info("Hello", "world")
