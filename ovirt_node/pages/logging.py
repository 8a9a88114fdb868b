"""The Logging page: log rotation, remote syslog (rsyslog) and netconsole.

As on 3.x, the remote destinations are greyed out, with a notice, while the node has no
network configured (`status.network_configured`, decided when the page is built: F12
after configuring the network brings them back). Port and protocol are only editable once
a server is given.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.pages import LOGGING
from ovirt_node.report import status
from ovirt_node.ui.page import Choice, Divider, EnabledWhen, Entry, Item, Label, Notice, Page, PageContext, Values

NO_NETWORK = ("Networking is not configured: configure it before sending logs to a remote rsyslog "
              "server or netconsole.")


def has_network(ctx: PageContext) -> bool:
    interfaces = ctx.engine.values(["network"]).get("network.interfaces") or ""
    return status.network_configured(ctx.root, ctx.machine, interfaces, ctx.node_setting("OVIRT_BOOTIF"))


def _needs(network: bool, server_key: str | None = None) -> EnabledWhen:
    def enabled(values: Values) -> bool:
        return network and (server_key is None or bool(values.get(server_key)))

    return enabled


class LoggingPage(Page):
    name, title, rank = LOGGING.name, LOGGING.title, LOGGING.rank
    help_text = (
        "How large local logs grow and how often they rotate, and where logs go off the node: all "
        "logs to a remote syslog server (rsyslog), kernel messages to a remote host (netconsole, "
        "UDP).\n"
        "An empty server address stops forwarding.")

    def layout(self) -> Sequence[Item]:
        network = has_network(self.ctx)
        return [
            Entry("logging.logrotate.max_size", "Max log size (KB):"),
            Choice("logging.logrotate.interval", "Rotate logs:",
                   options=(("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly"))),
            Divider(),
            Notice(lambda _values: "" if network else NO_NETWORK),
            Label("rsyslog: forward all logs to a remote syslog server"),
            Entry("logging.rsyslog.server", "Server address:", enabled_when=_needs(network)),
            Entry("logging.rsyslog.port", "Server port:", enabled_when=_needs(network, "logging.rsyslog.server")),
            Choice("logging.rsyslog.protocol", "Protocol:", options=(("udp", "UDP"), ("tcp", "TCP")),
                   enabled_when=_needs(network, "logging.rsyslog.server")),
            Divider(),
            Label("netconsole: send kernel messages to a remote host (UDP)"),
            Entry("logging.netconsole.server", "Server address:", enabled_when=_needs(network)),
            Entry("logging.netconsole.port", "Server port:",
                  enabled_when=_needs(network, "logging.netconsole.server")),
        ]
