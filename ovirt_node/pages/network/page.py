"""The Network page: host name, DNS, NTP; the NICs (Enter opens one's dialog: details,
addressing, MTU, VLANs, layout, identify); Create bond, Add VLAN, Edit (any connection not
saved yet too), Remove; Ping.

The dialogs (`dialogs.py`, working on the `NetworkContext` of `context.py`) edit the pending
connections shown under the table; Save applies them in a NetworkManager checkpoint: once the
connections are up, a dialog with a countdown asks to keep them, and no answer in time rolls
everything back, keyfiles and defaults included (`network/apply.py`). The page is read-only,
with a notice, when a manager owns the node (`MANAGED_BY`), as on 3.x.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, cast

from ovirt_node.pages import NETWORK
from ovirt_node.pages.network.context import INTERFACES, MANAGEMENT, NetworkContext, NetworkUI
from ovirt_node.ui.page import (
    Button,
    Display,
    Divider,
    Emit,
    Entry,
    Item,
    Notice,
    Page,
    PageContext,
    Row,
    Table,
    Values,
)

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Confirmation, Transaction
    from ovirt_node.network.apply import Confirm

# The network model, its dialogs and the NetworkManager steps are imported when the page is
# first shown, not when the setup TUI starts (they are a tenth of its start-up budget).


def managed_by(ctx: PageContext) -> str:
    return ctx.node_setting("MANAGED_BY")


def nic_rows(ctx: PageContext) -> list[Row]:
    """The NICs (3.x hid loopback, virtual, bridge, bond and VLAN devices), then the bonds and
    VLANs configured now: Enter on any opens its dialog."""
    from ovirt_node.network.model import network_from_text

    network = network_from_text(ctx.engine.values(["network"])[INTERFACES])
    managed = {n for n in ctx.node_setting("MANAGED_IFNAMES").split(",") if n}
    rows = []
    for nic in ctx.machine.physical_nics():
        iface = network.get(nic.name)
        status = "managed" if nic.name in managed else (
            f"in {iface.master}" if iface and iface.master else "configured" if iface else "unconfigured")
        rows.append(Row(nic.name, [nic.name, status, nic.driver or "", nic.mac, "link" if nic.link else "no link"]))
    for iface in (i for i in network.ifaces if i.kind in ("bond", "vlan")):
        status = f"VLAN {iface.vlan_id}" if iface.kind == "vlan" else "bond"
        rows.append(Row(iface.name, [iface.name, status, "", "", ""]))
    return rows


def _warnings(values: Values) -> str:
    """Gateways outside their subnet: a warning, Save stays possible (a routed gateway works)."""
    from ovirt_node.network.model import gateway_warning, network_from_text

    try:
        network = network_from_text(values.get(INTERFACES, ""))
    except ValueError:
        return ""
    found = [w for i in network.ifaces for a in (i.ipv4, i.ipv6) if (w := gateway_warning(i.name, a))]
    return "Warning: " + "; ".join(found) if found else ""


def _pending(text: str) -> str:
    from ovirt_node.network.edit import tree
    from ovirt_node.network.model import network_from_text

    try:
        return tree(network_from_text(text))
    except ValueError as exc:
        return str(exc)


#: The countdown's question; {left} is the live count.
KEEP_QUESTION = "Keep this network? It is rolled back in {left} s unless you keep it."


def network_test_work(ctx: PageContext) -> Callable[[Emit], object]:
    """The management network test, run while the countdown runs: each check's line as it
    completes, so the operator decides knowing whether the new network works."""

    def work(emit: Emit) -> str:
        if not ctx.root.is_host:
            emit(f"The network test checks the running node; this is the node tree {ctx.root}.")
            return ""
        from ovirt_node.core.run import Runner
        from ovirt_node.network.nettest import TARGET_SECTIONS, run_network_test, targets_from
        from ovirt_node.pages.nettest_view import verdict

        emit("Testing the new network:")
        report = run_network_test(ctx.root, Runner(), targets_from(ctx.engine.values(TARGET_SECTIONS)),
                                  on_check=lambda check: emit(check.line()))
        return verdict([c.status for c in report.checks]).rstrip(":") + "."

    return work


def ask_to_keep(ui: NetworkUI, ctx: PageContext) -> Confirm:
    """The confirmation the activation step waits for (in the transaction's worker thread): a
    dialog with a live countdown on the main loop, the network test running under it; no
    answer in time means roll back."""

    def confirm(timeout: int) -> bool | None:
        answered = threading.Event()
        started = time.monotonic()
        answers: list[bool | None] = []
        closers: list[Callable[[], None]] = []
        deadline = time.strftime("%H:%M:%S", time.localtime(time.time() + timeout))
        text = f"{KEEP_QUESTION} (by {deadline}: the previous configuration comes back)"

        def answer(yes: bool) -> None:
            # The countdown answers "no" itself when the time runs out: only an earlier "no"
            # is the operator's Roll back.
            in_time = time.monotonic() - started < timeout - 0.5
            answers.append(True if yes else False if in_time else None)
            answered.set()

        def show(_result: object) -> None:
            closers.append(ui.countdown("Keep the network configuration?", text, timeout, answer,
                                        yes="Keep", no="Roll back", work=network_test_work(ctx)))

        ui.run_in_worker(lambda: None, show)  # onto the main loop
        if not answered.wait(timeout + 2):
            ui.run_in_worker(lambda: None, lambda _r: closers[0]() if closers else None)
            return None
        return answers[0]

    return confirm


class NetworkPage(Page):
    name, title, rank = NETWORK.name, NETWORK.title, NETWORK.rank
    help_text = (
        "The node's name, DNS and NTP servers and its network interfaces.\n"
        "Enter on an interface configures it (DHCP, static address, VLAN, bond); Create bond and "
        "Add VLAN add connections; Ping and Test network check what works now.\n"
        "Save applies the changes and asks you to keep them: they are rolled back by themselves "
        "unless you do, so a change that cuts you off comes undone.")

    def layout(self) -> Sequence[Item]:
        from ovirt_node.pages import nettest_view
        from ovirt_node.pages.network import dialogs

        manager = managed_by(self.ctx)
        ctx = self.ctx

        def editable(_values: Values) -> bool:
            return not manager

        def button(label: str, handler: Callable[[NetworkContext], None]) -> Button:
            return Button(label, lambda ui: handler(NetworkContext.of(ctx, ui)), enabled_when=editable)

        return [
            Notice(lambda _v: f"This node is managed by {manager}: its network is configured there." if manager
                   else ""),
            Entry("network.hostname", "Hostname:", enabled_when=editable),
            Entry("network.dns", "DNS servers:", enabled_when=editable),
            Entry("network.dns.search", "Search domains:", enabled_when=editable),
            Entry("network.ntp", "NTP servers:", enabled_when=editable),
            Divider(),
            Table("network.nic", "Interfaces (Enter configures):", enabled_when=editable,
                  columns=("Device", "Status", "Driver", "MAC", "Link"), rows=nic_rows, height=6, indent=False,
                  on_activate=lambda ui, name: dialogs.open_interface(NetworkContext.of(ctx, ui), name)),
            Display(INTERFACES, "Connections:", render=_pending, enabled_when=editable),
            Display(MANAGEMENT, "Management:", render=lambda v: v or "(the first with an address)",
                    enabled_when=editable),
            Notice(_warnings),
            button("Create bond", dialogs.create_bond),
            button("Add VLAN", dialogs.add_vlan),
            button("Edit", dialogs.edit_connection),
            button("Remove", dialogs.remove),
            Button("Ping", lambda ui: dialogs.ping(NetworkContext.of(ctx, ui))),
            Button("Test network", lambda ui: nettest_view.show(ctx, ui)),
        ]

    def save(self, changes: Values) -> Transaction:
        """The connections go with the 3.x keys that describe their management stack."""
        from ovirt_node.network.model import network_from_text, stack_of
        from ovirt_node.network.section import FLAT

        engine = self.ctx.engine
        engine_changes = {k: v for k, v in changes.items() if k in engine.keys}
        if INTERFACES in changes or MANAGEMENT in changes:
            current = engine.values(["network"])
            spec = changes.get(INTERFACES, current[INTERFACES])
            stack = stack_of(network_from_text(spec), changes.get(MANAGEMENT, current[MANAGEMENT]))
            engine_changes.update({key: getattr(stack, name) for name, key in FLAT.items()})
            engine_changes[INTERFACES] = spec
        return engine.plan(engine_changes, title=f"Save {self.title}")

    def confirmation(self) -> Confirmation | None:
        """Keep the new connections? Asked in a countdown dialog once they are up."""
        from ovirt_node.core.transaction import Confirmation
        from ovirt_node.network.apply import DEFAULT_CONFIRM_TIMEOUT

        if self.ui is None:
            return None
        return Confirmation(ask_to_keep(cast(NetworkUI, self.ui), self.ctx), DEFAULT_CONFIRM_TIMEOUT)

