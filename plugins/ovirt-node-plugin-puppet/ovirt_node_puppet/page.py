"""The Puppet page: the agent's server, certname and run interval, and whether it runs."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.api import (
    Checkbox,
    Divider,
    Entry,
    Item,
    KeyValue,
    Label,
    Page,
    PageContext,
    Values,
    debian_packages,
    missing_packages,
    read_hostname,
)


def agent_on(values: Values) -> bool:
    return values.get("puppet.enabled") == "yes"


def agent_package(ctx: PageContext) -> str:
    """Whether the node has the agent this page configures (the packages the plugin declares)."""
    missing = missing_packages(ctx.root, debian_packages("ovirt_node_puppet"))
    return f"{', '.join(missing)} is not installed on this node" if missing else "installed"


class PuppetPage(Page):
    name = "puppet"
    title = "Puppet"
    rank = 85  # among the management pages, before Monitoring

    def layout(self) -> Sequence[Item]:
        return [
            Label("The Puppet agent fetches the node's configuration from a Puppet server."),
            KeyValue("Agent", agent_package),
            Divider(),
            Checkbox("puppet.enabled", "Enable the Puppet agent"),
            Entry("puppet.server", "Puppet server:", enabled_when=agent_on),
            Entry("puppet.certname", "Certname:", help="Empty: the node's FQDN", enabled_when=agent_on),
            KeyValue("Node FQDN", read_hostname),
            Entry("puppet.runinterval", "Run interval:", enabled_when=agent_on),
        ]
