"""The Network page: host name, DNS, NTP; the NICs; the management interface's addressing, VLAN,
layout and bond; ping and "flash lights to identify".

Saving a change of connections runs in a NetworkManager checkpoint: once the connections are
up, a dialog asks to keep them, and no answer within the timeout rolls everything back (see
`config/netapply.py`). The page is read-only, with a notice, when a manager owns the node
(`MANAGED_BY`), as on 3.x.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from ovirt_node.config.netapply import DEFAULT_CONFIRM_TIMEOUT, Confirm, network_steps
from ovirt_node.config.netmodel import Addressing, gateway_warning, netmask_to_prefix, parse_spec
from ovirt_node.config.transaction import Transaction
from ovirt_node.ui.page import (
    Button,
    Choice,
    Divider,
    EnabledWhen,
    Entry,
    Item,
    KeyValue,
    Label,
    Notice,
    Page,
    PageContext,
    PageUI,
    Row,
    Table,
    Values,
)

PING_COUNT = "3"
V4 = (("none", "Disabled"), ("dhcp", "DHCP"), ("static", "Static"))
V6 = (("none", "Disabled"), ("auto", "Automatic"), ("dhcp", "DHCPv6"), ("static", "Static"))


def managed_by(ctx: PageContext) -> str:
    return ctx.engine.ctx.defaults.get("MANAGED_BY") or ""


def nic_rows(ctx: PageContext) -> list[Row]:
    """Physical NICs (3.x hid loopback, virtual, bridge, bond and VLAN devices) and bonds."""
    values = ctx.engine.values(["network"])
    network = parse_spec(values["network.interfaces"])
    managed = {n for n in (ctx.engine.ctx.defaults.get("MANAGED_IFNAMES") or "").split(",") if n}
    rows = []
    for nic in ctx.machine.physical_nics():
        iface = network.get(nic.name)
        status = "managed" if nic.name in managed else (
            f"slave of {iface.master}" if iface and iface.master else "configured" if iface else "unconfigured")
        rows.append(Row(nic.name, [nic.name, status, nic.driver or "", nic.mac, "link" if nic.link else "no link"]))
    for bond in (i for i in network.ifaces if i.kind == "bond"):
        rows.append(Row(bond.name, [bond.name, "bond", "", "", ",".join(network.slaves(bond.name))]))
    return rows


def slave_rows(ctx: PageContext) -> list[Row]:
    return [Row(n.name, [n.name, n.mac, "link" if n.link else "no link"]) for n in ctx.machine.physical_nics()]


def connections(ctx: PageContext) -> str:
    """What is configured, as a tree line: bond0 (eth1+eth2) > bond0.20 [192.0.2.10/24]."""
    network = parse_spec(ctx.engine.values(["network"])["network.interfaces"])
    shown = []
    for i in network.ifaces:
        if i.master:
            continue
        what = {"bond": f"({'+'.join(network.slaves(i.name))})", "vlan": f"on {i.parent}",
                "bridge": f"over {'+'.join(network.slaves(i.name))}"}.get(i.kind, "")
        addresses = [a for a in (i.ipv4.address and f"{i.ipv4.address}/{i.ipv4.prefix}", i.ipv4.method == "dhcp"
                                 and "dhcp", i.ipv6.address and f"{i.ipv6.address}/{i.ipv6.prefix}") if a]
        shown.append(f"{i.name} {what} [{', '.join(addresses) or 'no address'}]".replace("  ", " "))
    return "; ".join(shown) or "none"


def _gateway_notice(values: Values) -> str:
    v4 = Addressing(values.get("network.bootproto", ""), values.get("network.ip.address", ""),
                    _prefix(values.get("network.ip.netmask", "")), values.get("network.ip.gateway", ""))
    return "Warning: " + (gateway_warning("IPv4", v4) or "") if gateway_warning("IPv4", v4) else ""


def _prefix(mask: str) -> int | None:
    try:
        return netmask_to_prefix(mask)
    except ValueError:
        return None


def ask_to_keep(ui: PageUI) -> Confirm:
    """The confirmation the activation step waits for (in the transaction's worker thread):
    a dialog on the main loop; no answer within the timeout means no."""

    def confirm(timeout: int) -> bool:
        answered = threading.Event()
        deadline = time.strftime("%H:%M:%S", time.localtime(time.time() + timeout))
        text = (f"The new network configuration is up. Keep it? Without OK within {timeout} s (by {deadline}) "
                "NetworkManager rolls it back and the previous configuration is restored.")
        ui.run_in_worker(lambda: None, lambda _r: ui.confirm("Keep the network configuration?", text, answered.set))
        return answered.wait(timeout)

    return confirm


class NetworkPage(Page):
    name = "network"
    title = "Network"
    rank = 10
    keys = ("network.hostname", "network.dns", "network.dns.search", "network.ntp", "network.bootif",
            "network.bootproto", "network.ip.address", "network.ip.netmask", "network.ip.gateway", "network.ipv6",
            "network.ipv6.address", "network.ipv6.netmask", "network.ipv6.gateway", "network.vlan",
            "network.layout", "network.bond.name", "network.bond.options", "network.bond.slaves")

    def layout(self) -> Sequence[Item]:
        manager = managed_by(self.ctx)

        def editable(_values: Values) -> bool:
            return not manager

        def when(key: str, *wanted: str) -> EnabledWhen:
            return lambda values: not manager and values.get(key) in wanted

        static4, static6 = when("network.bootproto", "static"), when("network.ipv6", "static")
        return [
            Notice(lambda _v: f"This node is managed by {manager}: its network is configured there." if manager
                   else ""),
            Entry("network.hostname", "Hostname:", enabled_when=editable),
            Entry("network.dns", "DNS servers:", enabled_when=editable),
            Entry("network.dns.search", "Search domains:", enabled_when=editable),
            Entry("network.ntp", "NTP servers:", enabled_when=editable),
            Divider(),
            Table("network.bootif", "Management interface (Enter picks it):", enabled_when=editable,
                  columns=("Device", "Status", "Driver", "MAC", "Link"), rows=nic_rows, height=4),
            KeyValue("Configured", connections),
            Choice("network.bootproto", "IPv4:", options=V4, enabled_when=editable),
            Entry("network.ip.address", "IPv4 address:", enabled_when=static4),
            Entry("network.ip.netmask", "Netmask:", enabled_when=static4),
            Entry("network.ip.gateway", "Gateway:", enabled_when=static4),
            Notice(_gateway_notice),
            Choice("network.ipv6", "IPv6:", options=V6, enabled_when=editable),
            Entry("network.ipv6.address", "IPv6 address:", enabled_when=static6),
            Entry("network.ipv6.netmask", "Prefix length:", enabled_when=static6),
            Entry("network.ipv6.gateway", "IPv6 gateway:", enabled_when=static6),
            Entry("network.vlan", "VLAN ID:", enabled_when=editable),
            Choice("network.layout", "Layout:", options=(("direct", "Direct"), ("bridged", "Bridged")),
                   enabled_when=editable),
            Divider(),
            Label("Bond: the management interface becomes this bond of the NICs marked below."),
            Entry("network.bond.name", "Bond name:", enabled_when=editable),
            Entry("network.bond.options", "Bond options:", enabled_when=editable),
            Table("network.bond.slaves", "Bond slaves:", enabled_when=editable, multi=True,
                  columns=("Device", "MAC", "Link"), rows=slave_rows, height=4),
            Divider(),
            Button("Flash lights to identify", self.identify),
            Button("Ping the gateway and DNS servers", self.ping),
        ]

    def save(self, changes: Values) -> Transaction:
        engine_changes = {k: v for k, v in changes.items() if k in self.ctx.engine.keys}
        if engine_changes.get("network.bond.name"):
            engine_changes.setdefault("network.bootif", engine_changes["network.bond.name"])
        tx = self.ctx.engine.plan(engine_changes, title=f"Save {self.title}")
        for step in network_steps(tx.steps):
            if self.ui is not None:
                step.confirm, step.confirm_timeout = ask_to_keep(self.ui), DEFAULT_CONFIRM_TIMEOUT
        return tx

    def identify(self, ui: PageUI) -> None:
        nic = self.ctx.engine.values(["network"]).get("network.bootif") or ""
        if not nic:
            ui.info("Identify", "Pick a NIC first.")
            return
        runner = self.ctx.engine.ctx.runner
        ui.run_in_worker(lambda: runner(["ethtool", "--identify", nic, "10"], check=False),
                         lambda r: ui.info("Identify", f"{nic}: its lights flashed for 10 s"
                                           if not isinstance(r, BaseException) else f"{nic}: {r}"))

    def ping(self, ui: PageUI) -> None:
        """`ping -c 3` each target in a worker; the output is shown when all have answered."""
        values = self.ctx.engine.values(["network"])
        targets = [t for t in (values["network.ip.gateway"], values["network.ipv6.gateway"],
                               *values["network.dns"].split(",")) if t]
        if not targets:
            ui.info("Ping", "No gateway or DNS server is configured.")
            return
        runner = self.ctx.engine.ctx.runner

        def work() -> str:
            out = []
            for target in targets:
                result = runner(["ping", "-c", PING_COUNT, "-W", "2", target], check=False, timeout=30)
                out.append(f"$ ping -c {PING_COUNT} {target}\n{result.stdout}{result.stderr}")
            return "\n".join(out)

        ui.run_in_worker(work, lambda r: ui.show_text("Ping", str(r)))
