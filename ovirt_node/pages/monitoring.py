"""The Monitoring page: where collectd sends this node's statistics."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.pages import MONITORING
from ovirt_node.ui.page import Divider, Entry, Item, Label, Page, Values


def _server_set(values: Values) -> bool:
    return bool(values.get("monitoring.collectd.server", "").strip())


class MonitoringPage(Page):
    name, title, rank = MONITORING.name, MONITORING.title, MONITORING.rank
    help_text = (
        "collectd gathers this node's statistics (CPU, memory, network, load) and can send them "
        "to a collectd server.\n"
        "An empty server stops sending.")

    def layout(self) -> Sequence[Item]:
        return [
            Label("collectd gathers this node's statistics (CPU, memory, network, load) and can send "
                  "them to a collectd server, such as the one of the management system."),
            Divider(),
            Entry("monitoring.collectd.server", "Server:"),
            Entry("monitoring.collectd.port", "Port:", enabled_when=_server_set),
            Divider(),
            Label("An empty server stops sending: collectd's network plugin is turned off."),
        ]
