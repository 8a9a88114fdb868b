"""The Status page's content on the demo node, and its power actions through logind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ovirt_node.areas.registry import all_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.demo.templates import networkmanager_mock
from ovirt_node.pages.status import StatusPage
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.page import Button, KeyValue, PageContext
from ovirt_node.ui.plugins import discover
from tests.dbus_env import spawn_dbusmock


class RecordingUI:
    """Runs workers at once and records dialogs; confirms say yes."""

    def __init__(self) -> None:
        self.dialogs: list[tuple[str, str, str]] = []

    def info(self, title: str, text: str) -> None:
        self.dialogs.append(("info", title, text))

    def confirm(self, title: str, text: str, on_yes: Callable[[], None]) -> None:
        self.dialogs.append(("confirm", title, text))
        on_yes()

    def show_text(self, title: str, text: str, *, at_end: bool = False) -> None:
        self.dialogs.append(("text", title, text))

    def run_in_worker(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        done(work())

    def run_transaction(self, tx: Any, on_done: Any = None, confirm: Any = None) -> None: ...
    def reload(self) -> None: ...
    def lock(self) -> None:
        self.dialogs.append(("lock", "", ""))

    def quit(self) -> None: ...


def make_page(root: Path, bus: str | None = None) -> StatusPage:
    engine = Engine(Context(root=Root.at(root), bus=bus), all_sections())
    machine = load_profile(profile_path("demo"))
    return StatusPage(PageContext(engine, machine, Root.at(root), demo=True))


def test_status_is_registered_like_a_plugin_and_first_in_the_menu() -> None:
    pages = discover().pages
    assert StatusPage in pages
    assert StatusPage.rank == 0


def test_status_values_on_the_demo_node(node_root: Path) -> None:
    (node_root / "etc/resolv.conf").write_text("nameserver 192.0.2.53\nnameserver 2001:db8::53\n")
    page = make_page(node_root)
    values = {i.label: i.value(page.ctx) for i in page.layout() if isinstance(i, KeyValue)}
    assert values["Hostname"] == "demo-node.example.com"
    assert values["Network"] == "eth0 (link up): configured: eth0 NIC [dhcp, auto]"  # the model, read back
    assert values["DNS"] == "192.0.2.53, 2001:db8::53"
    assert values["Logs"] == "Local only"
    assert values["Running VMs"] == "unknown (libvirt is asked on the running node only)"
    assert "Hardware virtualization available" in values["Virtualization"]
    buttons = [i.label for i in page.layout() if isinstance(i, Button)]
    assert buttons == ["SSH host keys", "CPU details", "Test network", "Console path", "Lock", "Log off", "Restart",
                       "Power off", "Reset configuration"]


def test_the_live_address_of_a_dhcp_interface_from_networkmanager(node_root: Path, private_bus: str) -> None:
    """On a node tree with a D-Bus (the demo) the lease NetworkManager shows for eth0, which
    the demo's keyfile configures by DHCP; without an address there, the configuration."""
    with networkmanager_mock(private_bus, ["eth0", "eth1"], {"eth0": ["192.0.2.50/24"]}):
        page = make_page(node_root, private_bus)
        network = next(i for i in page.layout() if isinstance(i, KeyValue) and i.label == "Network")
        assert network.value(page.ctx) == "eth0 (link up): 192.0.2.50/24 (DHCP)"
    with networkmanager_mock(private_bus, ["eth0", "eth1"]):
        page = make_page(node_root, private_bus)
        assert network.value(page.ctx) == "eth0 (link up): configured: eth0 NIC [dhcp, auto]"


def test_boot_and_health_lines_show_a_fallback_and_its_failed_check(node_root: Path) -> None:
    page = make_page(node_root)
    values = {i.label: i.value(page.ctx) for i in page.layout() if isinstance(i, KeyValue)}
    assert (values["Boot"], values["Health"]) == ("no health check has run on this node yet", "not checked yet")
    state = node_root / "config/ovirt-node-state/boot.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({
        "slot": "Root", "version": "4.6.0-1", "trial": False, "fallback": True,
        "result": "fell back: the trial of RootBackup failed",
        "failed_trial": {"slot": "RootBackup", "version": "4.7.1-1",
                         "reason": "required check(s) failed: 40-libvirtd"},
        "checks": [{"name": "10-config", "required": True, "passed": True, "log": "ok"}]}))
    values = {i.label: i.value(page.ctx) for i in page.layout() if isinstance(i, KeyValue)}
    assert values["Boot"] == ("slot Root (4.6.0-1), fallback after a failed trial: "
                              "fell back: the trial of RootBackup failed")
    assert values["Health"] == "trial of RootBackup (4.7.1-1) failed: required check(s) failed: 40-libvirtd"


def test_logs_line_follows_the_engine(node_root: Path) -> None:
    page = make_page(node_root)
    page.ctx.engine.apply({"logging.rsyslog.server": "log.example.com", "logging.rsyslog.protocol": "tcp"})
    value = next(i for i in page.layout() if isinstance(i, KeyValue) and i.label == "Logs").value(page.ctx)
    assert value == "rsyslog log.example.com:514 (tcp)"


def press(page: StatusPage, label: str, ui: RecordingUI) -> None:
    next(i for i in page.layout() if isinstance(i, Button) and i.label == label).on_press(ui)


def test_restart_without_a_bus_under_a_prefix_is_refused(node_root: Path) -> None:
    ui = RecordingUI()
    press(make_page(node_root), "Restart", ui)
    assert ui.dialogs[0][0] == "info" and "runtime effects need --bus" in ui.dialogs[0][2]


def test_restart_confirms_then_asks_logind(node_root: Path, private_bus: str) -> None:
    with spawn_dbusmock(private_bus, "logind", "org.freedesktop.login1", "/org/freedesktop/login1") as mock:
        ui = RecordingUI()
        press(make_page(node_root, bus=private_bus), "Restart", ui)
        assert ui.dialogs[0][:2] == ("confirm", "Restart")
        assert ui.dialogs[0][2].startswith("Restart the node now?\nAny running virtual machines will be stopped")
        calls = [(str(name), [bool(a) for a in args]) for _t, name, args in mock.mock.GetCalls()]
        assert ("Reboot", [False]) in calls


def test_host_keys_dialog(node_root: Path) -> None:
    ui = RecordingUI()
    press(make_page(node_root), "SSH host keys", ui)
    assert ui.dialogs == [("text", "SSH host key fingerprints", "This node has no SSH host keys yet.")]
