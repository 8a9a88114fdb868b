"""The Network page and its dialogs through PageHarness/DialogHarness on a copy of the demo node.

Bad input is an inline error (in the dialog that took it) and writes nothing; a bond of two
NICs with a VLAN and static IPv4+IPv6 is saved as keyfiles and OVIRT_* defaults; the apply's
countdown confirmation keeps or rolls back (real private D-Bus, NetworkManager mock); a
managed node's page is read-only with a notice; identify and ping stream their output.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from ovirt_node.areas.registry import builtin_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.core.steps import WriteDefaults
from ovirt_node.demo.bus import MockService
from ovirt_node.demo.templates import networkmanager_mock
from ovirt_node.network import model as network_model
from ovirt_node.pages.network import dialogs as network_dialogs
from ovirt_node.pages.network.page import NetworkPage
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.system.nm import MANAGER_IFACE, MANAGER_PATH, NetworkManager
from ovirt_node.ui.page import PageContext
from ovirt_node.ui.testing import DialogHarness, FakeUI, PageHarness, page_context
from tests.node_fixtures import changed_paths, snapshot

KEYFILES = "etc/NetworkManager/system-connections"


def harness(root: Path, ctx: PageContext | None = None, answer: bool = True) -> PageHarness:
    ctx = ctx or page_context(root)
    return PageHarness(NetworkPage, ctx, ui=FakeUI(ctx, apply=True, answer=answer))


def dialog(h: PageHarness, button: str | None = None, row: str | None = None) -> DialogHarness:
    """Open a dialog with a page button, or with Enter on a row of the NIC table."""
    if button is not None:
        h.press(button)
    else:
        assert row is not None
        h.choose("network.nic", row)
    return DialogHarness(h.ui.forms[-1], h.ui, size=(80, 60))  # tall enough to read every field


def make_bond(h: PageHarness, name: str, slaves: Sequence[str], mode: str = "active-backup") -> DialogHarness:
    d = dialog(h, "Create bond")
    d.type("Name", name)
    d.choose("bond.mode", mode)
    for slave in slaves:
        d.choose("bond.slaves", slave)
    return d


def static(d: DialogHarness, v4: tuple[str, str, str], v6: tuple[str, str] | None = None) -> None:
    d.choose("ipv4", "static")
    for key, value in zip(("ipv4.address", "ipv4.prefix", "ipv4.gateway"), v4, strict=True):
        d.type(key, value)
    if v6 is not None:
        d.choose("ipv6", "static")
        d.type("ipv6.address", v6[0])
        d.type("ipv6.prefix", v6[1])


def nothing_written(h: PageHarness, root: Path, before: dict[str, object]) -> None:
    """Save does nothing (no new transaction), and no file changed since `before`."""
    count = len(h.ui.transactions)
    h.save()
    assert len(h.ui.transactions) == count and changed_paths(before, snapshot(root)) == set()  # type: ignore[arg-type]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(("field", "value", "message"), [
    ("Hostname", "node_1.example.com", "a host name (e.g. node1"),
    ("Hostname", "a" * 64 + ".example.com", "a host name (e.g. node1"),
    ("DNS servers", "192.0.2.1,192.0.2.999", "'192.0.2.999' must be an IPv4 or IPv6 address"),
    ("NTP servers", "ntp_1.example.com", "'ntp_1.example.com' must be"),
])
def test_bad_page_field_is_an_inline_error_and_nothing_is_written(node_root: Path, field: str, value: str,
                                                                  message: str) -> None:
    h = harness(node_root)
    before = snapshot(node_root)
    h.type(field, value)
    assert message in h.error(field) and not h.save_enabled
    nothing_written(h, node_root, before)


def test_netmask_with_holes_is_refused_in_the_nic_dialog(node_root: Path) -> None:
    h = harness(node_root)
    before = snapshot(node_root)
    d = dialog(h, row="eth2")
    static(d, ("192.0.2.10", "255.0.255.0", "192.0.2.1"))
    assert "an IPv4 netmask such as" in d.error("ipv4.prefix") and not d.save_enabled
    d.press("OK")
    assert d.open and "255.0.255.0" in d.text()
    assert h.changes() == {} and not h.save_enabled
    nothing_written(h, node_root, before)


def test_gateway_outside_the_subnet_is_a_warning_only(node_root: Path) -> None:
    h = harness(node_root)
    d = dialog(h, row="eth2")
    static(d, ("192.0.2.10", "255.255.255.0", "198.51.100.1"))
    assert "Warning: IPv4: the gateway 198.51.100.1 is outside the subnet 192.0.2.0/24" in d.text()
    assert d.save_enabled and d.error("ipv4.gateway") == ""
    d.press("OK")
    assert not d.open and "eth2: the gateway 198.51.100.1 is outside the subnet" in h.text()
    assert h.save_enabled


def test_duplicate_vlan_id_on_one_parent_is_refused(node_root: Path) -> None:
    h = harness(node_root)
    before = snapshot(node_root)
    d = dialog(h, "Add VLAN")
    d.choose("vlan.parent", "eth2")
    d.type("VLAN ID", "20")
    d.press("OK")
    assert not d.open
    d = dialog(h, "Add VLAN")
    d.choose("vlan.parent", "eth2")
    d.type("VLAN ID", "20")
    assert d.error("VLAN ID") == "VLAN 20 is already on eth2 (eth2.20)" and not d.save_enabled
    d.type("VLAN ID", "5000")
    assert "a VLAN ID from 1 to 4094" in d.error("VLAN ID")
    d.press("Cancel")
    nic = dialog(h, row="eth2")  # the NIC's own list of VLAN IDs has the same rule
    nic.type("vlans", "20,30,20")
    assert nic.error("vlans") == "VLAN 20 is given twice" and not nic.save_enabled
    nic.press("Cancel")
    h.press("Reset")  # the first VLAN was only pending: nothing is written
    nothing_written(h, node_root, before)


def test_bond_slave_already_a_slave_or_the_management_nic_is_refused(node_root: Path) -> None:
    h = harness(node_root)
    make_bond(h, "bond0", ["eth1", "eth2"]).press("OK")
    h.save()
    assert h.ui.results == [True]
    before = snapshot(node_root)
    d = make_bond(h, "bond1", ["eth1"])
    assert d.error("bond.slaves") == "eth1 is already a slave of bond0" and not d.save_enabled
    d.choose("bond.slaves", "eth1")
    d.choose("bond.slaves", "eth0")
    assert d.error("bond.slaves") == "eth0 is the management NIC in use: it cannot become a slave of bond1"
    d.press("OK")
    assert d.open
    d.press("Cancel")
    d = make_bond(h, "bond0", ["eth0"])
    assert d.error("Name") == "bond0 exists already"
    d.press("Cancel")
    nothing_written(h, node_root, before)


def test_clearing_the_hostname_clears_it_visibly(node_root: Path) -> None:
    """An empty name is a change of its own (3.x took it): the plan says so, the name goes."""
    h = harness(node_root)
    assert h.value("Hostname") == "demo-node.example.com"
    assert "The node's host name (FQDN); empty clears it" in h.text()  # the focused field's help
    h.type("Hostname", "")
    assert h.error("Hostname") == "" and h.save_enabled and h.changes() == {"network.hostname": ""}
    h.save()
    assert h.ui.results == [True] and h.planned is not None
    titles = [s.title for s in h.planned.steps]
    assert "Clear the host name" in titles and "Drop the host name from /etc/hosts" in titles
    assert (node_root / "etc/hostname").read_text() == ""
    assert "demo-node" not in (node_root / "etc/hosts").read_text()
    assert "OVIRT_HOSTNAME" not in (node_root / "etc/default/ovirt").read_text()
    assert harness(node_root).value("Hostname") == ""  # read back: no name configured


# --------------------------------------------------------------------------- configuring


def test_bond_with_vlan_and_static_v4_v6(node_root: Path) -> None:
    h = harness(node_root)
    d = make_bond(h, "bond0", ["eth1", "eth2"], "802.3ad")
    assert not d.enabled("bond.primary") and d.enabled("bond.lacp_rate") and d.enabled("bond.xmit_hash_policy")
    d.choose("bond.lacp_rate", "fast")
    d.choose("bond.xmit_hash_policy", "layer3+4")
    d.toggle("management")
    d.press("OK")
    assert not d.open
    v = dialog(h, "Add VLAN")
    v.choose("vlan.parent", "bond0")
    v.type("VLAN ID", "20")
    static(v, ("192.0.2.10", "24", "192.0.2.1"), ("2001:db8::10", "64"))
    v.press("OK")
    assert "bond0.20 VLAN 20 on bond0 [192.0.2.10/24, 2001:db8::10/64]" in h.text()
    h.save()
    assert h.ui.results == [True]
    vlan = (node_root / KEYFILES / "bond0.20.nmconnection").read_text()
    assert "address1=192.0.2.10/24\ngateway=192.0.2.1" in vlan and "address1=2001:db8::10/64" in vlan
    bond = (node_root / KEYFILES / "bond0.nmconnection").read_text()
    assert "mode=802.3ad" in bond and "lacp_rate=fast" in bond and "xmit_hash_policy=layer3+4" in bond
    assert "master=bond0" in (node_root / KEYFILES / "eth1.nmconnection").read_text()
    defaults = (node_root / "etc/default/ovirt").read_text()
    for line in ('OVIRT_BOOTIF="bond0"', 'OVIRT_BOND_SLAVES="eth1,eth2"', 'OVIRT_VLAN="20"',
                 'OVIRT_IP_ADDRESS="192.0.2.10"', 'OVIRT_IP_NETMASK="255.255.255.0"', 'OVIRT_IPV6="static"',
                 'OVIRT_IPV6_ADDRESS="2001:db8::10"', 'OVIRT_BOND_OPTIONS="mode=802.3ad miimon=100 lacp_rate=fast '
                 'xmit_hash_policy=layer3+4"'):
        assert line in defaults
    text = " ".join(h.text().split())  # read back after Save: the bond and its VLAN are rows of the table now
    assert "eth1 in bond0" in text and "bond0.20 VLAN 20" in text and "Management: bond0" in text


@pytest.mark.parametrize(("mode", "lacp", "hash_", "primary"), [
    ("balance-rr", False, False, False), ("active-backup", False, False, True), ("balance-xor", False, True, False),
    ("broadcast", False, False, False), ("802.3ad", True, True, False), ("balance-tlb", False, True, False),
    ("balance-alb", False, False, False),
])
def test_bond_options_follow_the_mode(node_root: Path, mode: str, lacp: bool, hash_: bool, primary: bool) -> None:
    d = make_bond(harness(node_root), "bond0", ["eth1", "eth2"], mode)
    assert (d.enabled("bond.lacp_rate"), d.enabled("bond.xmit_hash_policy"), d.enabled("bond.primary")) == (
        lacp, hash_, primary)


def count_calls(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[object]:
    """Wrap `owner.name` (and every ovirt_node module's reference to that function) to record its calls."""
    original = getattr(owner, name)
    calls: list[object] = []

    def wrapper(*args: object, **kwargs: object) -> object:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    for module in [m for n, m in sys.modules.items() if n.startswith("ovirt_node") and m is not None]:
        if getattr(module, name, None) is original:
            monkeypatch.setattr(module, name, wrapper)
    return calls


def test_one_save_parses_the_network_once_and_writes_the_defaults_file_once(node_root: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    h = harness(node_root)
    d = dialog(h, row="eth2")
    static(d, ("192.0.2.10", "24", "192.0.2.1"))
    d.choose("layout", "direct")
    parses = count_calls(monkeypatch, network_model, "parse_spec")
    writes = count_calls(monkeypatch, WriteDefaults, "apply")
    d.press("OK")
    assert not d.open and h.save_enabled
    h.save()
    assert h.ui.results == [True]
    assert len(parses) <= 1
    assert len(writes) == 1
    [tx] = h.ui.transactions
    assert len([s for s in tx.steps if isinstance(s, WriteDefaults)]) == 1
    assert "address1=192.0.2.10/24\ngateway=192.0.2.1" in (node_root / KEYFILES / "eth2.nmconnection").read_text()
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert "eth2:ipv4=static,ip=192.0.2.10/24,gw=192.0.2.1" in defaults


def test_nic_dialog_details_mtu_and_bridged_layout(node_root: Path) -> None:
    h = harness(node_root)
    d = dialog(h, row="eth2")
    text = d.text()
    for shown in ("Driver e1000", "Bus info 0000:00:05.0", "MAC 52:54:00:3a:5c:03", "Permanent MAC 52:54:00:3a:5c:03",
                  "Link detected", "Speed 1000 Mb/s"):
        assert shown in " ".join(text.replace("\u2502", "").split())
    d.choose("ipv4", "dhcp")
    d.type("MTU", "9000")
    d.type("vlans", "30")
    d.choose("layout", "bridged")
    d.press("OK")
    h.save()
    assert h.ui.results == [True]
    bridge = (node_root / KEYFILES / "breth2.nmconnection").read_text()
    assert "type=bridge" in bridge and "method=auto" in bridge
    nic = (node_root / KEYFILES / "eth2.nmconnection").read_text()
    assert "mtu=9000" in nic and "master=breth2" in nic
    assert (node_root / KEYFILES / "eth2.30.nmconnection").exists()
    d = dialog(h, row="eth2")  # back to direct: the bridge goes, the NIC has the addresses
    assert d.value("layout") == "bridged" and d.value("ipv4") == "dhcp"
    d.choose("layout", "direct")
    d.type("vlans", "")
    d.press("OK")
    h.save()
    assert not (node_root / KEYFILES / "breth2.nmconnection").exists()
    assert not (node_root / KEYFILES / "eth2.30.nmconnection").exists()
    assert "method=auto" in (node_root / KEYFILES / "eth2.nmconnection").read_text()


def test_remove_a_bond_frees_its_slaves_and_drops_its_vlans(node_root: Path) -> None:
    h = harness(node_root)
    make_bond(h, "bond0", ["eth1", "eth2"]).press("OK")
    v = dialog(h, "Add VLAN")
    v.choose("vlan.parent", "bond0")
    v.type("VLAN ID", "7")
    v.press("OK")
    h.save()
    assert (node_root / KEYFILES / "bond0.7.nmconnection").exists()
    r = dialog(h, "Remove")
    r.press("Remove")
    assert r.error("connection") == "pick a connection"
    r.choose("connection", "bond0")
    r.press("Remove")
    assert not r.open
    h.save()
    names = sorted(p.name for p in (node_root / KEYFILES).iterdir())
    assert names == ["eth0.nmconnection"]


def add_vlan(h: PageHarness, parent: str, vid: str) -> None:
    v = dialog(h, "Add VLAN")
    v.choose("vlan.parent", parent)
    v.type("VLAN ID", vid)
    v.press("OK")


def remove(h: PageHarness, name: str) -> DialogHarness:
    r = dialog(h, "Remove")
    r.choose("connection", name)
    r.press("Remove")
    return r


def test_removing_a_bond_asks_first_and_names_its_vlans(node_root: Path) -> None:
    h = harness(node_root, answer=False)
    make_bond(h, "bond0", ["eth1", "eth2"]).press("OK")
    add_vlan(h, "bond0", "20")
    add_vlan(h, "bond0", "30")
    pending = h.changes()
    r = remove(h, "bond0")
    assert not r.open
    asked = h.ui.dialogs[-1]
    assert (asked.kind, asked.title) == ("confirm", "Remove bond0")
    assert asked.text.startswith("Remove bond0? Its VLANs bond0.20 and bond0.30 are removed with it.")
    assert "eth1 and eth2 are left without a connection" in asked.text and "no network" not in asked.text
    # No: the pending connections stay as they were.
    assert h.changes() == pending and "bond0.30 VLAN 30 on bond0" in h.text()
    h.ui.answer = True
    remove(h, "bond0")
    assert "bond0" not in h.value("network.interfaces") and "eth0 NIC [dhcp, auto]" in h.text()


def test_removing_the_last_connection_warns_that_the_node_loses_its_network(node_root: Path) -> None:
    h = harness(node_root, answer=False)
    remove(h, "eth0")
    asked = h.ui.dialogs[-1]
    assert asked.kind == "confirm"
    assert asked.text == "Remove eth0? It is the node's last connection: the node will have no network after Save."
    assert h.changes() == {} and not h.save_enabled
    h.ui.answer = True
    remove(h, "eth0")
    assert "Connections: none" in " ".join(h.text().split())


def test_bridge_over_a_vlan_over_a_bond(node_root: Path) -> None:
    """The VLAN's row (after Save) opens its dialog; bridged moves its addresses to the bridge."""
    h = harness(node_root)
    make_bond(h, "bond0", ["eth1", "eth2"], "balance-alb").press("OK")
    v = dialog(h, "Add VLAN")
    v.choose("vlan.parent", "bond0")
    v.type("VLAN ID", "30")
    static(v, ("192.0.2.30", "24", "192.0.2.1"))
    v.toggle("management")
    v.press("OK")
    h.save()
    d = dialog(h, row="bond0.30")
    assert "bond0.30 VLAN 30 on bond0 [192.0.2.30/24]" in d.text() and d.value("ipv4.address") == "192.0.2.30"
    d.choose("layout", "bridged")
    d.press("OK")
    h.save()
    assert h.ui.results == [True, True]
    bridge = (node_root / KEYFILES / "brbond0.nmconnection").read_text()
    assert "type=bridge" in bridge and "address1=192.0.2.30/24\ngateway=192.0.2.1" in bridge
    vlan = (node_root / KEYFILES / "bond0.30.nmconnection").read_text()
    assert "master=brbond0" in vlan and "address1" not in vlan
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert 'OVIRT_NETWORK_LAYOUT="bridged"' in defaults and 'OVIRT_BOOTIF="bond0"' in defaults


def test_a_saved_bond_is_edited_through_its_row(node_root: Path) -> None:
    """Enter on the bond's row: its mode, options and slaves; a NIC left out stands alone."""
    h = harness(node_root)
    make_bond(h, "bond0", ["eth1", "eth2"]).press("OK")
    h.save()
    d = dialog(h, row="bond0")
    assert (d.value("bond.mode"), d.value("bond.slaves"), d.value("bond.miimon")) == ("active-backup", "eth1,eth2",
                                                                                      "100")
    d.type("bond.primary", "eth0")
    assert d.error("bond.primary") == "eth0 is not one of the slaves picked"
    d.type("bond.primary", "")
    d.choose("bond.slaves", "eth0")
    assert "eth0 is the management NIC in use" in d.error("bond.slaves") and not d.save_enabled
    d.choose("bond.slaves", "eth0")
    d.choose("bond.slaves", "eth2")
    d.choose("bond.mode", "802.3ad")
    d.choose("bond.lacp_rate", "fast")
    d.choose("ipv4", "dhcp")
    d.press("OK")
    h.save()
    assert h.ui.results == [True, True]
    bond = (node_root / KEYFILES / "bond0.nmconnection").read_text()
    assert "mode=802.3ad" in bond and "lacp_rate=fast" in bond and "method=auto" in bond
    assert not (node_root / KEYFILES / "eth2.nmconnection").exists()
    assert "master=bond0" in (node_root / KEYFILES / "eth1.nmconnection").read_text()


def test_a_connection_not_saved_yet_is_edited_through_edit(node_root: Path) -> None:
    h = harness(node_root)
    make_bond(h, "bond0", ["eth1", "eth2"]).press("OK")
    e = dialog(h, "Edit")
    assert [r.row.value for r in e.field("connection").row_widgets] == ["bond0", "eth0"]  # type: ignore[attr-defined]
    e.choose("connection", "bond0")
    e.press("Edit")
    assert not e.open
    d = DialogHarness(h.ui.forms[-1], h.ui, size=(80, 60))
    assert d.view.title == "Interface bond0" and d.value("bond.slaves") == "eth1,eth2"
    d.choose("ipv6", "auto")
    d.press("OK")
    assert "bond0 bond active-backup (eth1+eth2) [auto]" in h.text() and h.save_enabled


# --------------------------------------------------------------------------- apply and confirm


@pytest.fixture
def nm(private_bus: str) -> Iterator[MockService]:
    with networkmanager_mock(private_bus, ["eth0", "eth1", "eth2"]) as svc:
        yield svc


def bus_context(root: Path, bus: str) -> PageContext:
    engine = Engine(Context(root=Root.at(root), bus=bus), builtin_sections())
    return PageContext(engine=engine, machine=load_profile(profile_path("demo")), root=Root.at(root), demo=True)


@pytest.mark.parametrize("keep", [True, False])
def test_countdown_confirmation_keeps_or_rolls_back(node_root: Path, private_bus: str, nm: MockService,
                                                     keep: bool) -> None:
    h = harness(node_root, bus_context(node_root, private_bus), answer=keep)
    before = snapshot(node_root)
    make_bond(h, "bond0", ["eth1", "eth2"]).press("OK")
    h.save()
    [countdown] = [d for d in h.ui.dialogs if d.kind == "countdown"]
    assert countdown.text.startswith("Keep this network? It is rolled back in 60 s unless you keep it.")
    # The network test runs during the countdown; on a node tree it says where it runs instead.
    assert "The network test checks the running node; this is the node tree" in countdown.text
    with NetworkManager.connect(private_bus) as client:
        rolled = [str(r) for r in client._get(MANAGER_PATH, MANAGER_IFACE, "MockRollbacks")]
        assert client.checkpoints() == []
    assert h.ui.results == [keep]
    if keep:
        assert rolled == [] and (node_root / KEYFILES / "bond0.nmconnection").exists()
    else:
        assert len(rolled) == 1 and rolled[0].startswith("asked:")
        assert changed_paths(before, snapshot(node_root)) == set()
        shown = "\n".join(d.text for d in h.ui.dialogs)  # Roll back pressed at once, not a timeout
        assert "rolled back at the operator's request" in shown and "not confirmed" not in shown


# --------------------------------------------------------------------------- read-only, identify, ping


def test_managed_node_is_read_only(node_root: Path) -> None:
    defaults = node_root / "etc/default/ovirt"
    defaults.write_text(defaults.read_text() + 'MANAGED_BY="engine.example.com"\n')
    h = harness(node_root)
    assert "This node is managed by engine.example.com: its network is configured there." in h.text()
    assert not any(h.enabled(key) for key in ("Hostname", "DNS servers", "network.nic", "network.interfaces"))
    buttons = {w.button.label: w.enabled for w in h.page_view.items if hasattr(w, "button")}
    assert buttons == {"Create bond": False, "Add VLAN": False, "Edit": False, "Remove": False, "Ping": True,
                       "Test network": True}


def test_identify_on_the_demo_machine_blinks_without_running_ethtool(node_root: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network_dialogs, "DEMO_TICK", 0)
    h = harness(node_root)
    d = dialog(h, row="eth1")
    d.press("Flash lights to identify")
    [shown] = [x for x in h.ui.dialogs if x.kind == "stream"]
    assert shown.title == "Identify eth1"
    assert "'ethtool --identify eth1 10' is recorded, not run" in shown.text
    assert "eth1: * blinking, 1 s left" in shown.text and shown.text.endswith("flashed its lights for 10 s.")
    assert h.ui.ctx is not None and h.ui.ctx.engine.ctx.runner.calls == []  # the real runner ran nothing


class ScriptedPing(Runner):
    def stream(self, argv: Sequence[str], on_line: Callable[[str], bool], *, timeout: float = 120) -> int:
        self.calls.append(tuple(argv))
        for n in range(int(argv[2])):
            on_line(f"64 bytes from {argv[-1]}: icmp_seq={n + 1} ttl=64 time=0.1 ms")
        return 0


def test_ping_streams_its_output(node_root: Path) -> None:
    ctx = page_context(node_root)
    ctx.engine.ctx.runner = ScriptedPing()
    h = harness(node_root, ctx)
    d = dialog(h, "Ping")
    assert d.value("Address") == "192.0.2.53" and d.value("Count") == "3"  # the first DNS server: no gateway
    d.type("Count", "0")
    assert "from 1 to 100" in d.error("Count")
    d.type("Count", "2")
    d.type("Address", "192.0.2.1")
    d.press("Ping")
    [shown] = [x for x in h.ui.dialogs if x.kind == "stream"]
    reply = "64 bytes from 192.0.2.1: icmp_seq={} ttl=64 time=0.1 ms"
    assert shown.text.splitlines() == ["$ ping -c 2 192.0.2.1", reply.format(1), reply.format(2), "Done."]
    assert ctx.engine.ctx.runner.calls == [("ping", "-c", "2", "-W", "2", "192.0.2.1")]


@pytest.mark.skipif(shutil.which("ping") is None, reason="ping is not installed")
def test_ping_for_real(node_root: Path) -> None:
    h = harness(node_root)
    d = dialog(h, "Ping")
    d.type("Address", "127.0.0.1")
    d.type("Count", "1")
    d.press("Ping")
    [shown] = [x for x in h.ui.dialogs if x.kind == "stream"]
    assert "1 packets transmitted, 1 received" in shown.text and shown.text.endswith("Done.")
