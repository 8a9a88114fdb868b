"""The Status page: the node at a glance, and the lock / log off / restart / power off / reset actions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from ovirt_node.areas import logs_quick
from ovirt_node.network import quick as network_quick
from ovirt_node.report import status, vms
from ovirt_node.ui.page import Button, Divider, Item, KeyValue, Label, Page, PageContext, PageUI

if TYPE_CHECKING:
    from ovirt_node.system.logind import Logind


def _hostname(ctx: PageContext) -> str:
    return status.hostname(ctx.root, ctx.machine)


def _network(ctx: PageContext) -> str:
    bootif = network_quick.bootif(ctx.root)
    if bootif is None:
        bootif = ctx.node_setting("OVIRT_BOOTIF")
    nic = status.management_nic(ctx.root, ctx.machine, bootif)
    if nic is None:
        return "no network interface found"
    link = {True: "link up", False: "no link", None: "link unknown"}[nic.link]
    live = nic.ipv4 + nic.ipv6 or _from_networkmanager(ctx, nic.addresses_on or nic.name)
    dhcp = " (DHCP)" if live and _method(ctx) == "dhcp" else ""
    addresses = ", ".join(live) + dhcp or _configured(ctx, bootif) or "no address"
    via = f" on {nic.addresses_on}" if nic.addresses_on and nic.addresses_on != nic.name else ""
    return f"{nic.name} ({link}): {addresses}{via}"


def _from_networkmanager(ctx: PageContext, iface: str) -> list[str]:
    """The live addresses NetworkManager shows (a DHCP lease's), asked over the D-Bus a node
    tree was given (the demo's); the running node's come from `ip -j addr` above."""
    bus = ctx.node.bus
    if ctx.root.is_host or bus is None:
        return []
    from ovirt_node.system.nm import NetworkManager, NetworkManagerError

    try:
        with NetworkManager.connect(bus) as nm:
            return nm.addresses(iface)
    except NetworkManagerError:
        return []


def _values(ctx: PageContext, section: str) -> dict[str, str]:
    """The section's values this page shows, read from the files as plain text when they
    are plain (no Augeas, no section module: the first screen's largest cost otherwise), else
    the engine's (tests/integration/test_status_quick.py holds the two equal)."""
    quick = (network_quick if section == "network" else logs_quick).values(ctx.root)
    return quick if quick is not None else ctx.engine.values([section])


def _method(ctx: PageContext) -> str:
    return _values(ctx, "network").get("network.bootproto") or ""


def _configured(ctx: PageContext, bootif: str | None) -> str:
    """No address from the kernel (a root prefix, or not up yet): what the network model
    configures for the management interface, as the Network page shows it."""
    from ovirt_node.network.edit import describe
    from ovirt_node.network.model import management_ifaces, network_from_text

    try:
        network = network_from_text(_values(ctx, "network").get("network.interfaces") or "")
    except ValueError:
        return ""
    stack = management_ifaces(network, bootif or "")
    return f"configured: {describe(network, stack[-1])}" if stack and stack[-1].addressed else ""


def _dns(ctx: PageContext) -> str:
    """resolv.conf's servers: what is in effect (NetworkManager rewrites it when a save
    activates). Under a root prefix nothing rewrites it (the demo): the configured servers
    are the node's then, so a save on the Network page shows here."""
    live = status.dns_servers(ctx.root)
    if not ctx.root.is_host:
        try:
            configured = [s.strip() for s in (_values(ctx, "network").get("network.dns") or "").split(",")
                          if s.strip()]
        except Exception:  # the network model cannot be read: resolv.conf alone
            configured = []
        live = configured or live
    return ", ".join(live) or "none configured"


def _logging(ctx: PageContext) -> str:
    return status.logging_destinations(_values(ctx, "logging"))


def _virt(ctx: PageContext) -> str:
    return status.virtualization(ctx.root, ctx.machine).summary


def _vm_count(ctx: PageContext) -> vms.VmCount:
    """libvirt describes the running host, not a node tree under a root prefix."""
    if not ctx.root.is_host:
        return vms.unknown("libvirt is asked on the running node only")
    return vms.count_vms()


def _vms(ctx: PageContext) -> str:
    return _vm_count(ctx).summary()


def _root_storage(ctx: PageContext) -> str:
    return status.root_storage(ctx.root)


def _uptime(ctx: PageContext) -> str:
    return status.uptime(ctx.root)


def _boot(ctx: PageContext) -> str:
    return status.boot_health(ctx.root)[0]


def _health(ctx: PageContext) -> str:
    return status.boot_health(ctx.root)[1]


class StatusPage(Page):
    name = "status"
    title = "Status"
    help_text = (
        "The node at a glance: its state, network, logging and running VMs, read live.\n"
        "Buttons: SSH host keys and CPU details show them; Test network checks the management "
        "network (link, gateway, DNS, NTP); Console path sets the kernel "
        "console(s) of the next boot (such as ttyS0,115200n8); Lock locks the console; Log off leaves the setup; "
        "Restart and Power off ask first.\n"
        "Values are read again after a save on another page, and with F12.")
    rank = 0
    editable = False

    def layout(self) -> Sequence[Item]:
        return [
            KeyValue("Hostname", _hostname),
            KeyValue("Network", _network),
            KeyValue("DNS", _dns),
            KeyValue("Logs", _logging),
            KeyValue("Virtualization", _virt),
            KeyValue("Running VMs", _vms),
            *([KeyValue("Root", _root_storage)] if status.root_on_iscsi(self.ctx.root) else []),
            KeyValue("Uptime", _uptime),
            KeyValue("Boot", _boot),
            KeyValue("Health", _health),
            Divider(),
            Button("SSH host keys", self.show_host_keys),
            Button("CPU details", self.show_cpu),
            Button("Test network", self._test_network),
            Button("Console path", self.open_console),
            Divider(),
            Button("Lock", lambda ui: ui.lock()),
            Button("Log off", lambda ui: ui.quit()),
            Button("Restart", lambda ui: self.power_action(ui, "Restart", lambda bus: bus.reboot())),
            Button("Power off", lambda ui: self.power_action(ui, "Power off", lambda bus: bus.power_off())),
            Button("Reset configuration", self.open_reset),
            Divider(),
            Label("Press F8 for the support menu."),
        ]

    def open_reset(self, ui: PageUI) -> None:
        # Imported when pressed: the reset's engine code costs the first screen ~nothing then.
        from ovirt_node.pages import reset_dialog

        reset_dialog.open_reset(self.ctx, ui)

    def _test_network(self, ui: PageUI) -> None:
        from ovirt_node.pages import nettest_view  # imported when pressed, as the reset is

        nettest_view.show(self.ctx, ui)

    def open_console(self, ui: PageUI) -> None:
        from ovirt_node.pages import console_dialog  # imported when pressed, as the reset is

        console_dialog.open_console(self.ctx, ui)

    def show_host_keys(self, ui: PageUI) -> None:
        def work() -> str:
            keys = status.ssh_host_keys(self.ctx.root)
            if not keys:
                return "This node has no SSH host keys yet."
            return "\n".join(f"{k.type} ({k.bits} bits)\n  {k.fingerprint}\n  {k.path}\n" for k in keys)

        ui.run_in_worker(work, lambda text: ui.show_text("SSH host key fingerprints", str(text)))

    def show_cpu(self, ui: PageUI) -> None:
        def work() -> str:
            details = status.cpu_details(self.ctx.root, machine=self.ctx.machine)
            virt = status.virtualization(self.ctx.root, self.ctx.machine).summary
            return f"{details}\n\n{virt}"

        ui.run_in_worker(work, lambda text: ui.show_text("CPU details", str(text)))

    def power_action(self, ui: PageUI, what: str, act: Callable[[Logind], None]) -> None:
        """Confirm (naming the running VMs), then ask logind; under a prefix only with --bus."""
        engine_ctx = self.ctx.node
        reason = engine_ctx.runtime_skip_reason()
        if reason:
            ui.info(what, f"Not available here ({reason}).")
            return

        def go() -> None:
            ui.run_in_worker(lambda: self._call(engine_ctx.bus, act), lambda err: self._report(ui, what, err))

        def ask(count: object) -> None:
            if not isinstance(count, vms.VmCount) or count.running is None:
                running = "Any running virtual machines will be stopped (how many run is unknown here)."
            else:
                running = f"Running virtual machines: {count.running}. They will be stopped."
            ui.confirm(what, f"{what} the node now?\n{running}", go)

        ui.run_in_worker(lambda: _vm_count(self.ctx), ask)

    @staticmethod
    def _call(bus: str | None, act: Callable[[Logind], None]) -> Exception | None:
        from ovirt_node.system.logind import Logind, LogindError  # D-Bus only when it is needed

        try:
            with Logind.connect(bus) as logind:
                act(logind)
        except LogindError as exc:
            return exc
        return None

    @staticmethod
    def _report(ui: PageUI, what: str, error: object) -> None:
        from ovirt_node.core import explain

        if isinstance(error, BaseException):
            ui.info(what, explain.sentence(what, error))
