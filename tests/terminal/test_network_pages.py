"""The Network page in the real `ovirt-node-setup` at 80x24 on the demo node (as `make demo` runs
it: a copy of ovirt_node/data/demo-root, NetworkManager and hostnamed mocked on a private D-Bus).

Through the keyboard only: Create bond of eth1+eth2, Add VLAN 20 on it with static IPv4 and
IPv6 as the management network, Save, see the progress dialog and the live countdown of the
checkpoint's rollback, Keep, then F12: the bond and its VLAN are rows of the table. The
keyfiles and the OVIRT_* defaults in the demo root are checked afterwards.

The walk follows the focus (tests/terminal/walk.py); the VM proof drives the same page on a
guest's serial console with the same walk.
"""

from __future__ import annotations

import re

import pytest

from ovirt_node.demo.node import DemoNode
from tests.node_fixtures import changed_paths, snapshot
from tests.terminal.test_kdump_storage_pages import open_page
from tests.terminal.tmux import TMUX, Tmux
from tests.terminal.walk import ends_with, fill, move_to, pick

pytestmark = [pytest.mark.terminal, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

KEYFILES = "etc/NetworkManager/system-connections"


#: The countdown's question, with its live count.
COUNTDOWN = r"Keep this network\? It is rolled back in (\d+) s unless you keep it\."


def flat(screen: str) -> str:
    """The top dialog's words in one line (its text wraps at its edges): what lies between
    the first and the last box edge of each line."""
    inner = [line[line.index("\u2502") + 1:line.rindex("\u2502")] for line in screen.splitlines()
             if line.count("\u2502") >= 2]
    return " ".join(" ".join(inner).split())


def open_network_page(tmux: Tmux, demo: DemoNode) -> None:
    open_page(tmux, demo, "Network")
    tmux.wait(lambda _s: "Hostname:" in tmux.focused()[1], timeout=5, what="the focus on the first field")


def save_until_countdown(tmux: Tmux) -> str:
    """Save, and wait for the question with its countdown (the connections are up)."""
    move_to(tmux, "< Save >")
    tmux.send("Enter")
    tmux.wait_for("Save Network")
    tmux.wait_for("Keep the network configuration?")
    return tmux.wait(lambda s: re.search(COUNTDOWN, flat(s)) is not None, what="the countdown's question")


def create_bond(tmux: Tmux) -> None:
    """From the page: Create bond, mark eth1 and eth2, OK."""
    move_to(tmux, "< Create bond >")
    tmux.send("Enter")
    tmux.wait_for("52:54:00:3a:5c:03")  # the slave table's rows, filled by a worker
    for nic in ("eth1", "eth2"):
        move_to(tmux, lambda line, n=nic: f" {n} " in line and "52:54:00" in line)  # type: ignore[misc]
        pick(tmux)
    move_to(tmux, "< OK >")
    tmux.send("Enter")
    tmux.wait_for("bond0 bond active-backup (eth1+eth2)")


def test_bond_with_a_vlan_and_static_v4_v6_confirmed_in_the_countdown(tmux: Tmux, demo: DemoNode) -> None:
    open_network_page(tmux, demo)
    create_bond(tmux)

    move_to(tmux, "< Add VLAN >")
    tmux.send("Enter")
    tmux.wait_for("VLAN ID:")
    move_to(tmux, ends_with("bond0"))
    pick(tmux)
    fill(tmux, [("VLAN ID:", "20"), ("Static", ""), ("IPv4 address:", "192.0.2.10"),
                ("Prefix or netmask:", "255.255.255.0"), ("IPv4 gateway:", "192.0.2.1"), ("Static", ""),
                ("IPv6 address:", "2001:db8::10"), ("IPv6 prefix:", "64"), ("Management network", "")])
    move_to(tmux, "< OK >")
    tmux.send("Enter")
    tmux.wait(lambda s: "bond0.20 VLAN 20 on bond0 [192.0.2.10/24," in s and "2001:db8::10/64]" in s,
              what="the VLAN among the connections")

    screen = save_until_countdown(tmux)
    first = int(re.search(COUNTDOWN, flat(screen)).group(1))  # type: ignore[union-attr]
    assert "The network test checks the running node; this is the node tree" in flat(screen)
    tmux.wait(lambda s: (m := re.search(COUNTDOWN, flat(s))) is not None and int(m.group(1)) < first,
              timeout=5, what="the countdown to tick")
    tmux.send("Left", "Enter")  # Roll back has the focus; Keep is left of it
    tmux.wait_for("Done: ")
    tmux.send("Escape")
    tmux.wait_gone("Save Network")
    tmux.send("F12")
    tmux.wait_for("Reloaded Network from the system")
    tmux.wait(lambda s: bool(re.search(r"eth1\s+in bond0", s) and re.search(r"bond0\.20\s+VLAN 20", s)),
              what="the bond and its VLAN among the interfaces, read back")

    keyfiles = demo.root / KEYFILES
    assert sorted(p.name for p in keyfiles.iterdir()) == [
        "bond0.20.nmconnection", "bond0.nmconnection", "eth0.nmconnection", "eth1.nmconnection",
        "eth2.nmconnection"]
    vlan = (keyfiles / "bond0.20.nmconnection").read_text()
    assert "parent=bond0" in vlan and "id=20" in vlan
    assert "address1=192.0.2.10/24\ngateway=192.0.2.1" in vlan and "address1=2001:db8::10/64" in vlan
    assert "mode=active-backup" in (keyfiles / "bond0.nmconnection").read_text()
    defaults = (demo.root / "etc/default/ovirt").read_text()
    for line in ('OVIRT_BOOTIF="bond0"', 'OVIRT_BOND_NAME="bond0"', 'OVIRT_BOND_SLAVES="eth1,eth2"',
                 'OVIRT_BOND_OPTIONS="mode=active-backup miimon=100"', 'OVIRT_VLAN="20"', 'OVIRT_BOOTPROTO="static"',
                 'OVIRT_IP_ADDRESS="192.0.2.10"', 'OVIRT_IP_NETMASK="255.255.255.0"', 'OVIRT_IP_GATEWAY="192.0.2.1"',
                 'OVIRT_IPV6="static"', 'OVIRT_IPV6_ADDRESS="2001:db8::10"', 'OVIRT_IPV6_NETMASK="64"',
                 'OVIRT_NETWORK_LAYOUT="direct"'):
        assert line in defaults


def test_roll_back_in_the_countdown_restores_everything(tmux: Tmux, demo: DemoNode) -> None:
    before = snapshot(demo.root)
    open_network_page(tmux, demo)
    create_bond(tmux)
    assert re.search(COUNTDOWN, flat(save_until_countdown(tmux)))
    tmux.send("Enter")  # the button with the focus: Roll back
    screen = tmux.wait_for("The change was rolled back")
    assert "rolled back at the" in screen and "operator's request" in screen  # Roll back pressed, not a timeout
    changed_files = changed_paths(before, snapshot(demo.root)) - {"/var/log/ovirt-node/setup.log"}
    assert changed_files == set()
