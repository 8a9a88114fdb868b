"""The Puppet page: the agent's server, certname and run interval, and whether it runs."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.api import Checkbox, Divider, Entry, Item, KeyValue, Label, Page, Values, read_hostname


def agent_on(values: Values) -> bool:
    return values.get("puppet.enabled") == "yes"


class PuppetPage(Page):
    name = "puppet"
    title = "Puppet"
    rank = 85  # among the management pages, before Monitoring

    def layout(self) -> Sequence[Item]:
        return [
            Label("The Puppet agent fetches the node's configuration from a Puppet server."),
            Divider(),
            Checkbox("puppet.enabled", "Enable the Puppet agent"),
            Entry("puppet.server", "Puppet server:", enabled_when=agent_on),
            Entry("puppet.certname", "Certname:", help="Empty: the node's FQDN", enabled_when=agent_on),
            KeyValue("Node FQDN", read_hostname),
            Entry("puppet.runinterval", "Run interval:", enabled_when=agent_on),
        ]
