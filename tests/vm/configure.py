"""Scenario 3's configuration, made the way an operator makes it: admin logs in on the serial
console, and the setup TUI's Network and Logging pages are walked by their focus
(tests/terminal/walk.py, the same walk the tmux tests use on the demo machine). Also the checks
of the result, made through the root shell, the same after every later boot (scenario 3's
reboot, scenario 4's upgrade and rollback)."""

from __future__ import annotations

import re

from tests.terminal.walk import ends_with, fill, move_to, pick, type_in
from tests.vm.console import Console
from tests.vm.flows import wait_for
from tests.vm.node import ADMIN_PASSWORD
from tests.vm.qemu import VM
from tests.vm.serial_terminal import SerialTerminal

#: What scenario 3 configures (the first NIC stays the management NIC, on DHCP).
MANAGEMENT_MAC = "52:54:00:00:00:01"
BOND_MACS = ("52:54:00:00:00:02", "52:54:00:00:00:03")
VLAN, ADDRESS = "100", "192.168.100.10/24"
HOSTNAME = "node3.example.com"
DNS = ("10.0.2.3", "192.0.2.53")  # the first answers under qemu's user networking
SYSLOG = "192.0.2.80"
NEW_PASSWORD = "Configured-4-node"  # noqa: S105 - a throwaway guest's password
#: The line between the menu and the page: "|" in basic mode (the serial console), "\u2502" in rich.
MENU_EDGE = re.compile("[|\u2502]")


def nic_names(shell: Console, macs: tuple[str, ...] = BOND_MACS) -> list[str]:
    """NICs by their own MACs (names depend on the guest's PCI slots). A bond's slaves carry
    the bond's MAC, so a slave's own one is read from bonding_slave/perm_hwaddr."""
    listing = shell.check("for n in /sys/class/net/*; do [ -e $n/device ] || continue; "
                          "echo ${n##*/} $(cat $n/bonding_slave/perm_hwaddr 2>/dev/null || cat $n/address); done")
    by_mac = {mac: name for name, mac in (line.split() for line in listing.splitlines() if len(line.split()) == 2)}
    missing = [mac for mac in macs if mac not in by_mac]
    assert not missing, f"no NIC has the MAC {missing}:\n{listing}"
    return [by_mac[mac] for mac in macs]


def configure_through_the_tui(vm: VM, shell: Console) -> None:
    console = vm.console
    assert console is not None
    console.login("admin", ADMIN_PASSWORD, timeout=300, new_password=NEW_PASSWORD)
    term = SerialTerminal(console)
    screen = term.wait_for("F12 reload", 180)
    # ttyS0: basic mode by itself (the admin shell hands the login line past sudo's pty)
    assert "F4 rich" in screen and "\u2502" not in screen, screen
    open_page(term, "Network", "Hostname:")
    first, second = nic_names(shell)

    move_to(term, "< Create bond >")
    term.send("Enter")
    # The slave rows come from a worker: walk only once they are there.
    term.wait(lambda s: all(re.search(rf"\[ \] \S+ +free +{mac}", s) for mac in BOND_MACS), 150,
              "the free NICs among the slaves")
    for mac in BOND_MACS:
        move_to(term, lambda line, m=mac: m in line)  # type: ignore[misc]
        pick(term)
    move_to(term, "< OK >")
    term.send("Enter")
    term.wait_for(f"bond0 bond active-backup ({first}+{second})")

    move_to(term, "< Add VLAN >")
    term.send("Enter")
    term.wait_for("VLAN ID:")
    move_to(term, ends_with("bond0"))
    pick(term)
    address, prefix = ADDRESS.split("/")
    fill(term, [("VLAN ID:", VLAN), ("Static", ""), ("IPv4 address:", address), ("Prefix or netmask:", prefix)])
    move_to(term, "< OK >")
    term.send("Enter")
    term.wait(lambda s: f"bond0.{VLAN} VLAN {VLAN} on bond0 [{ADDRESS}]" in page_text(s), 150,
              "the VLAN among the connections")

    move_to(term, "Hostname:", key="Up")
    replace_text(term, HOSTNAME)
    move_to(term, "DNS servers:")
    replace_text(term, ",".join(DNS))
    move_to(term, "< Save >")
    term.send("Enter")
    term.wait_for("Keep the network configuration?", 600)
    term.send("Left", "Enter")  # Roll back has the focus; Keep is left of it
    save_done(term, "Save Network")
    term.wait(lambda s: s.splitlines()[0].rstrip().endswith(HOSTNAME), 60, "the new name in the header")

    # After the save the focus left the greyed Save for the first field: Shift-Tab from it
    # goes back to the menu.
    term.wait(lambda _s: "Hostname:" in term.focused()[1], 60, "the focus on the first field")
    term.send("BTab")
    open_page(term, "Logging", "Max log size (KB):")
    move_to(term, "Server address:")  # rsyslog's comes first
    type_in(term, SYSLOG)
    move_to(term, "< Save >")
    term.send("Enter")
    save_done(term, "Save Logging")


def open_page(term: SerialTerminal, title: str, first_field: str) -> None:
    """From the menu, down to the page `title`, then into it."""
    for _ in range(15):
        if page_title(term.screen()) == title:
            break
        was = page_title(term.screen())
        term.send("Down")
        term.wait(lambda s, w=was: page_title(s) != w, 60, "the next page")  # type: ignore[misc]
    term.send("Tab")
    term.wait(lambda _s: first_field in term.focused()[1], 60, f"the focus on {first_field!r}")


def page_text(screen: str) -> str:
    """The page's side of the screen as one line of words (a row may wrap anywhere)."""
    return " ".join(word for line in screen.splitlines() for word in MENU_EDGE.split(line, 1)[-1].split())


def page_title(screen: str) -> str:
    lines = screen.splitlines()
    return MENU_EDGE.split(lines[1], 1)[-1].strip() if len(lines) > 1 else ""


def replace_text(term: SerialTerminal, text: str) -> None:
    """Empty the focused field, then type `text`."""
    _row, line = term.focused()
    old = line.split(":", 1)[-1].strip()
    term.send("End", *["BSpace"] * len(old))
    type_in(term, text)


def save_done(term: SerialTerminal, title: str) -> None:
    screen = term.wait_for("Done: ", 600)
    assert "FAILED" not in screen, screen
    term.send("Escape")
    term.wait_gone(title)


def check_configured(shell: Console) -> None:
    """Scenario 3's configuration, live: the bond, its VLAN with the address, the keyfiles
    persisted in /config, the name, DNS, rsyslog's forwarding; the management NIC kept DHCP."""
    first, second = nic_names(shell)
    bonding = shell.check("cat /proc/net/bonding/bond0")
    assert "Bonding Mode: fault-tolerance (active-backup)" in bonding, bonding
    assert f"Slave Interface: {first}" in bonding and f"Slave Interface: {second}" in bonding, bonding
    assert re.search(r"Currently Active Slave: (\S+)", bonding), bonding
    vlan = shell.check(f"ip -d addr show bond0.{VLAN}")
    assert f"vlan protocol 802.1Q id {VLAN}" in vlan and f"inet {ADDRESS}" in vlan, vlan
    management = nic_names(shell, (MANAGEMENT_MAC,))[0]
    assert re.search(r"inet 10\.0\.2\.\d+/24", shell.check(f"ip -4 addr show {management}")), "no DHCP address"
    keyfiles = "/etc/NetworkManager/system-connections"
    assert "mode=active-backup" in shell.check(f"cat {keyfiles}/bond0.nmconnection")
    vlan_file = shell.check(f"cat {keyfiles}/bond0.{VLAN}.nmconnection")
    assert f"id={VLAN}" in vlan_file and "parent=bond0" in vlan_file and f"address1={ADDRESS}" in vlan_file
    for name in (first, second):
        assert "bond0" in shell.check(f"cat {keyfiles}/{name}.nmconnection")
    source = shell.check(f"findmnt -n -o SOURCE --mountpoint {keyfiles}/bond0.{VLAN}.nmconnection")
    assert source.startswith("/dev/mapper/HostVG-Config["), f"the VLAN's keyfile is not persisted: {source!r}"
    assert shell.check("hostname") == HOSTNAME
    resolv = shell.check("cat /etc/resolv.conf")
    assert all(f"nameserver {server}" in resolv for server in DNS), resolv
    rsyslog = shell.check("cat /etc/rsyslog.d/*.conf")
    assert f"@{SYSLOG}:514" in rsyslog, rsyslog
    shell.check("rsyslogd -N1")
    assert shell.check("systemctl is-active rsyslog") == "active"


def check_bond_failover(vm: VM, shell: Console) -> None:
    """The bond works as one: when its active slave loses its link (QMP set_link, as a pulled
    cable), the other slave takes over and the VLAN keeps its address; the link back, the
    slave rejoins as the backup."""
    assert vm.qmp is not None
    first, second = nic_names(shell)
    # The NICs are qemu's net0.. in MAC order; BOND_MACS are the second and the third.
    netdev = {first: "net1", second: "net2"}
    active = shell.check("sed -n 's/^Currently Active Slave: //p' /proc/net/bonding/bond0")
    assert active in netdev, active
    other = second if active == first else first
    vm.qmp.command("set_link", name=netdev[active], up=False)
    bonding = wait_for(rf"Currently Active Slave: {other}\s", shell, "cat /proc/net/bonding/bond0", 60)
    assert re.search(rf"Slave Interface: {active}\s+MII Status: down", bonding), bonding
    assert f"inet {ADDRESS}" in shell.check(f"ip addr show bond0.{VLAN}")
    vm.qmp.command("set_link", name=netdev[active], up=True)
    wait_for(rf"Slave Interface: {active}\s+MII Status: up", shell, "cat /proc/net/bonding/bond0", 60)
