"""Network through `ovirt-node-config`: keys, kernel arguments (3.x names), bad input.

Bad input exits 2 with the key and the reason, and changes nothing on the node tree; a bad
kernel argument is reported and skipped while the good ones apply.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.cli.config import main
from tests.integration.el_node import make_el_root
from tests.node_fixtures import changed_paths, snapshot

KEYFILES = "etc/NetworkManager/system-connections"


def fake_sysfs(root: Path) -> None:
    """NICs as sysfs shows them (what `BOOTIF=link` and the MAC form resolve against)."""
    for slot, (name, mac, carrier) in enumerate((("eth0", "52:54:00:3a:5c:01", "1"),
                                                  ("eth1", "52:54:00:3a:5c:02", "0"),
                                                  ("eth2", "52:54:00:3a:5c:03", "1")), 3):
        device = root / f"sys/devices/pci0000:00/0000:00:0{slot}.0"
        device.mkdir(parents=True)
        base = root / "sys/class/net" / name
        base.mkdir(parents=True)
        (base / "address").write_text(mac + "\n")
        (base / "carrier").write_text(carrier + "\n")
        (base / "type").write_text("1\n")
        (base / "device").symlink_to(f"../../../devices/pci0000:00/0000:00:0{slot}.0")


def config(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def defaults(root: Path) -> str:
    return (root / "etc/default/ovirt").read_text()


@pytest.fixture
def node(node_root: Path) -> Path:
    fake_sysfs(node_root)
    return node_root


@pytest.fixture(params=["demo", "el"])
def any_node(request: pytest.FixtureRequest, node: Path) -> Path:
    """The demo node, and the same tree as an EL node."""
    return make_el_root(node) if request.param == "el" else node


def without_search_domain(root: Path) -> Path:
    resolv = root / "etc/resolv.conf"
    resolv.write_text("".join(line for line in resolv.read_text().splitlines(True) if not line.startswith("search")))
    return root


DNS_CONF = "etc/NetworkManager/conf.d/90-ovirt-node-dns.conf"


def test_dns_servers_apply_on_a_node_without_a_search_domain(any_node: Path) -> None:
    node = without_search_domain(any_node)
    assert config(node, "set", "network.dns=10.0.0.2,10.0.0.3") == 0
    text = (node / DNS_CONF).read_text()
    assert "servers=10.0.0.2,10.0.0.3" in text and "searches" not in text
    assert 'OVIRT_DNS="10.0.0.2,10.0.0.3"' in defaults(node)


def test_cmdline_dns_without_a_search_domain_keeps_the_other_arguments(any_node: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    node = without_search_domain(any_node)
    assert config(node, "cmdline", "dns=10.0.0.2,10.0.0.3", "hostname=node7.example.com", "ssh_pwauth=1") == 0
    assert "skipped:" not in capsys.readouterr().out
    assert "servers=10.0.0.2,10.0.0.3" in (node / DNS_CONF).read_text()
    assert (node / "etc/hostname").read_text() == "node7.example.com\n"
    assert "\nPasswordAuthentication yes" in (node / "etc/ssh/sshd_config").read_text()


def test_an_empty_hostname_clears_it(any_node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """3.x took an empty name: the configured name and its /etc/hosts line go, visibly."""
    assert config(any_node, "set", "network.hostname=node7.example.com") == 0
    capsys.readouterr()
    assert config(any_node, "set", "network.hostname=") == 0
    out = capsys.readouterr().out
    assert "Clear the host name: done" in out and "Drop the host name from /etc/hosts: done" in out
    assert (any_node / "etc/hostname").read_text() == ""
    assert "node7" not in (any_node / "etc/hosts").read_text()
    assert "127.0.0.1\tlocalhost" in (any_node / "etc/hosts").read_text()
    assert "OVIRT_HOSTNAME" not in defaults(any_node)
    assert config(any_node, "show", "network.hostname") == 0
    assert capsys.readouterr().out.split()[:2] == ["network.hostname", "''"]
    # A name can be set again on the emptied file (the stock Hostname lens cannot put one there).
    assert config(any_node, "set", "network.hostname=node8.example.com") == 0
    assert (any_node / "etc/hostname").read_text() == "node8.example.com\n"
    assert config(any_node, "get", "network.hostname") == 0
    assert capsys.readouterr().out.endswith("node8.example.com\n")


def test_cmdline_static_bond_vlan_dns_ntp_hostname(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config(node, "cmdline", "BOOTIF=bond0", "bond=bond0:eth1,eth2:mode=802.3ad,miimon=100,lacp_rate=fast",
                  "vlan=20", "ip=192.0.2.10::192.0.2.1:255.255.255.0", "ipv6=auto", "dns=192.0.2.63,192.0.2.64",
                  "ntp=ntp1.example.com,ntp2.example.com", "hostname=node9.example.com",
                  "network_layout=bridged") == 0
    assert "skipped:" not in capsys.readouterr().out
    files = sorted(p.name for p in (node / KEYFILES).iterdir())
    assert files == ["bond0.20.nmconnection", "bond0.nmconnection", "brbond0.nmconnection",
                     "eth0.nmconnection", "eth1.nmconnection", "eth2.nmconnection"]
    bridge = (node / KEYFILES / "brbond0.nmconnection").read_text()
    assert "address1=192.0.2.10/24\ngateway=192.0.2.1" in bridge
    text = defaults(node)
    for line in ('OVIRT_BOOTIF="bond0"', 'OVIRT_BOND_SLAVES="eth1,eth2"', 'OVIRT_VLAN="20"',
                 'OVIRT_BOND_OPTIONS="mode=802.3ad miimon=100 lacp_rate=fast"', 'OVIRT_NETWORK_LAYOUT="bridged"',
                 'OVIRT_IP_NETMASK="255.255.255.0"', 'OVIRT_IPV6="auto"', 'OVIRT_DNS="192.0.2.63,192.0.2.64"',
                 'OVIRT_NTP="ntp1.example.com,ntp2.example.com"', 'OVIRT_HOSTNAME="node9.example.com"'):
        assert line in text
    assert (node / "etc/hostname").read_text() == "node9.example.com\n"
    assert "server ntp1.example.com iburst" in (node / "etc/chrony/chrony.conf").read_text()
    assert "servers=192.0.2.63,192.0.2.64" in (node / "etc/NetworkManager/conf.d/90-ovirt-node-dns.conf").read_text()


@pytest.mark.parametrize(("args", "iface", "expected"), [
    (["BOOTIF=01-52-54-00-3a-5c-02", "ip=dhcp"], "eth1", "method=auto"),
    (["BOOTIF=52:54:00:3a:5c:03", "ip=10.1.2.3", "netmask=255.255.0.0", "gateway=10.1.0.1"], "eth2",
     "address1=10.1.2.3/16\ngateway=10.1.0.1"),
    (["BOOTIF=link", "ip=172.16.0.9"], "eth0", "address1=172.16.0.9/16"),
    (["BOOTIF=eth1", "vlan=30:eth1", "ip=dhcp"], "eth1.30", "id=30\nparent=eth1"),
])
def test_cmdline_bootif_forms(node: Path, args: list[str], iface: str, expected: str) -> None:
    assert config(node, "cmdline", *args) == 0
    assert expected in (node / KEYFILES / f"{iface}.nmconnection").read_text()


@pytest.mark.parametrize("args", [["BOOTIF=link"], ["ip=172.16.0.9", "BOOTIF=link", "ip=dhcp"]])
def test_bootif_without_an_address_means_dhcp_on_the_nic_it_names(node: Path, args: list[str]) -> None:
    """3.x: no ip= means DHCP; an ip= given before or after BOOTIF still wins (the second
    form is refused as ip twice, so BOOTIF alone applies). `link` is stored as the NIC it
    found, so the node keeps the same management NIC when links change later (the VM proof
    found a node installed with `BOOTIF=link` and its NIC left without addressing)."""
    (node / KEYFILES / "eth0.nmconnection").unlink()  # a fresh node, as the installer's is
    assert config(node, "cmdline", *args) == 0
    assert "[ipv4]\nmethod=auto" in (node / KEYFILES / "eth0.nmconnection").read_text()
    assert 'OVIRT_BOOTIF="eth0"' in defaults(node) and 'OVIRT_BOOTPROTO="dhcp"' in defaults(node)


def test_an_address_given_before_bootif_is_kept(node: Path) -> None:
    assert config(node, "cmdline", "ip=172.16.0.9", "BOOTIF=link") == 0
    assert "address1=172.16.0.9/16" in (node / KEYFILES / "eth0.nmconnection").read_text()


@pytest.mark.parametrize(("arg", "reason"), [
    ("BOOTIF=01-52-54-00-zz-5c-02", "is not a valid MAC address"),
    ("BOOTIF=01-52-54-00-00-00-00", "no NIC has the MAC address 52:54:00:00:00:00"),
    ("vlan=5000", "a VLAN ID from 1 to 4094"),
    ("bond=bond0", "a bond needs at least one slave"),
    ("bond=bond0::mode=4", "a bond needs at least one slave"),
    ("ip=192.0.2.300", "an IPv4 address"),
    ("netmask=255.0.255.0", "an IPv4 netmask such as"),
    ("dns=192.0.2.1,not_an_ip", "'not_an_ip' must be an IPv4 or IPv6 address"),
    ("ntp=ntp1.example.com,bad_name", "'bad_name' must be a host name"),
    ("hostname=under_score", "a host name (e.g. node1"),
])
def test_bad_kernel_arguments_are_reported_and_skipped(node: Path, capsys: pytest.CaptureFixture[str],
                                                        arg: str, reason: str) -> None:
    before = snapshot(node)
    assert config(node, "cmdline", arg) == 0
    out = capsys.readouterr().out
    assert f"skipped: {arg}: " in out and reason in out
    assert changed_paths(before, snapshot(node)) == set()


def test_duplicated_kernel_arguments_are_skipped_and_the_rest_applies(node: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert config(node, "cmdline", "BOOTIF=eth1", "BOOTIF=eth2", "ip=dhcp", "ip=10.0.0.1",
                  "hostname=dup.example.com") == 0
    out = capsys.readouterr().out
    assert "skipped: BOOTIF=eth1: BOOTIF is given 2 times" in out and "skipped: ip=10.0.0.1: ip is given 2 times" in out
    assert (node / "etc/hostname").read_text() == "dup.example.com\n"
    assert 'OVIRT_BOOTIF="eth1"' not in defaults(node) and not (node / KEYFILES / "eth1.nmconnection").exists()


@pytest.mark.parametrize(("assignments", "key", "reason"), [
    (["network.ip.netmask=255.0.255.0"], "network.ip.netmask", "an IPv4 netmask such as"),
    (["network.hostname=node_1.example.com"], "network.hostname", "a host name (e.g. node1"),
    (["network.hostname=" + "a" * 64 + ".example.com"], "network.hostname", "a host name (e.g. node1"),
    (["network.interfaces=eth0:ipv4=dhcp,ipv6=auto;eth1:ipv4=none,ipv6=none;"
      "eth1.7:type=vlan,parent=eth1,id=7,ipv4=dhcp,ipv6=none;v7:type=vlan,parent=eth1,id=7,ipv4=dhcp,ipv6=none"],
     "network.interfaces", "VLAN 7 is already on eth1"),
    (["network.bond.name=bond0", "network.bond.slaves=eth0,eth1"], "network.bootif",
     "eth0 is the management NIC in use: it cannot become a slave of bond0"),
    (["network.dns=192.0.2.1,300.1.1.1"], "network.dns", "'300.1.1.1' must be an IPv4 or IPv6 address"),
    (["network.dns= "], "network.dns", "' ' must be an IPv4 or IPv6 address"),
    (["network.dns=192.0.2.1,192.0.2.2,192.0.2.3,192.0.2.4"], "network.dns",
     "must list at most three servers: the resolver uses only the first three"),
    (["network.dns.search= yes"], "network.dns.search", "' yes' must be a host name"),
])
def test_bad_values_exit_2_and_write_nothing(node: Path, capsys: pytest.CaptureFixture[str],
                                             assignments: list[str], key: str, reason: str) -> None:
    before = snapshot(node)
    assert config(node, "set", *assignments) == 2
    err = capsys.readouterr().err
    assert f"invalid {key}:" in err and reason in err and "Nothing was changed." in err
    assert changed_paths(before, snapshot(node)) == set()


def test_a_slave_of_another_bond_cannot_join(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert config(node, "set", "network.interfaces=eth0:ipv4=dhcp,ipv6=auto;"
                  "bond1:type=bond,mode=active-backup,miimon=100,ipv4=dhcp,ipv6=none;eth1:master=bond1;eth2:master=bond1"
                  ) == 0
    before = snapshot(node)
    assert config(node, "set", "network.bond.name=bond0", "network.bond.slaves=eth2", "network.bootif=bond0",
                  "network.bootproto=dhcp") == 2
    assert "eth2 is already a slave of bond1" in capsys.readouterr().err
    assert changed_paths(before, snapshot(node)) == set()


def test_a_gateway_outside_the_subnet_is_a_warning(node: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert config(node, "set", "network.bootif=eth1", "network.bootproto=static", "network.ip.address=192.0.2.10",
                  "network.ip.netmask=24", "network.ip.gateway=198.51.100.1") == 0
    assert "eth1: the gateway 198.51.100.1 is outside the subnet 192.0.2.0/24" in caplog.text
    assert "gateway=198.51.100.1" in (node / KEYFILES / "eth1.nmconnection").read_text()


def test_a_link_local_ipv6_gateway_is_no_warning(node: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert config(node, "set", "network.bootif=eth1", "network.bootproto=dhcp", "network.ipv6=static",
                  "network.ipv6.address=2001:db8::10", "network.ipv6.netmask=64", "network.ipv6.gateway=fe80::1") == 0
    assert "outside the subnet" not in caplog.text
    assert "fe80::1" in (node / KEYFILES / "eth1.nmconnection").read_text()


def test_ntp_off_removes_every_server(node: Path) -> None:
    assert config(node, "set", "network.ntp=off") == 0
    text = (node / "etc/chrony/chrony.conf").read_text()
    assert "pool " not in text and "server " not in text and "driftfile" in text
    assert main(["--root", str(node), "get", "network.ntp"]) == 0


def test_connections_with_the_3x_keys_that_describe_them_are_kept_as_given(node: Path) -> None:
    """What the Network page sends: every connection, plus the management stack's 3.x keys that
    describe them. The connections are written as given (the VLAN's MTU survives), not rebuilt
    from the 3.x keys."""
    spec = ("eth0:ipv4=dhcp,ipv6=auto;eth1:master=bond0;eth2:master=bond0;"
            "bond0:type=bond,mode=active-backup,miimon=100,ipv4=none,ipv6=none;"
            "bond0.20:type=vlan,parent=bond0,id=20,ipv4=static,ip=192.0.2.10/24,gw=192.0.2.1,ipv6=none,mtu=9000")
    assert config(node, "set", f"network.interfaces={spec}", "network.bootif=bond0", "network.bootproto=static",
                  "network.ip.address=192.0.2.10", "network.ip.netmask=255.255.255.0", "network.ip.gateway=192.0.2.1",
                  "network.vlan=20", "network.ipv6=none", "network.bond.name=bond0", "network.bond.slaves=eth1,eth2",
                  "network.bond.options=mode=active-backup miimon=100") == 0
    assert "mtu=9000" in (node / KEYFILES / "bond0.20.nmconnection").read_text()
    assert 'OVIRT_BOOTIF="bond0"' in defaults(node) and 'OVIRT_VLAN="20"' in defaults(node)


@pytest.mark.parametrize("changes", [
    ["network.bootif=eth0", "network.bootproto=static", "network.ip.address=192.0.2.10", "network.ip.netmask=24"],
    ["network.interfaces=eth0:ipv4=static,ip=192.0.2.10/24,ipv6=auto"],
])
def test_a_dry_run_plan_writes_the_defaults_file_once(node: Path, capsys: pytest.CaptureFixture[str],
                                                      changes: list[str]) -> None:
    """The engine's keys and the derived 3.x keys go to /etc/default/ovirt in one step."""
    before = snapshot(node)
    assert config(node, "set", "--dry-run", *changes) == 0
    lines = capsys.readouterr().out.splitlines()
    writes = [line for line in lines if "/etc/default/ovirt" in line and "Persist" not in line]
    assert len(writes) == 1, "\n".join(lines)
    assert "OVIRT_IP_NETMASK='255.255.255.0'" in writes[0]
    assert "OVIRT_NETWORK_INTERFACES='eth0:ipv4=static,ip=192.0.2.10/24,ipv6=auto'" in writes[0]
    assert any("Write the NetworkManager connections: write eth0" in line for line in lines)
    assert changed_paths(before, snapshot(node)) == set()


@pytest.mark.parametrize("kind", ["demo", "el"])
def test_a_bridge_over_a_vlan_is_named_after_the_nic_as_in_3x(node_root: Path, kind: str) -> None:
    node = make_el_root(node_root) if kind == "el" else node_root
    assert config(node, "cmdline", "BOOTIF=enp0s31f6", "vlan=1000", "ip=dhcp", "network_layout=bridged") == 0
    assert "master=brenp0s31f6" in (node / KEYFILES / "enp0s31f6.1000.nmconnection").read_text()
    assert "type=bridge" in (node / KEYFILES / "brenp0s31f6.nmconnection").read_text()
    assert 'OVIRT_NETWORK_LAYOUT="bridged"' in defaults(node) and 'OVIRT_VLAN="1000"' in defaults(node)


def test_the_nic_that_carries_an_iscsi_root_is_never_changed(node: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 23: on a node booted from an iSCSI LUN over eth0, a change of eth0 is refused with
    the reason and writes nothing; other NICs and other settings still change."""
    (node / "proc/cmdline").write_text(
        "root=live:/dev/mapper/HostVG-Root rd.lvm.lv=HostVG/Root netroot=iscsi:192.0.2.5::3260:1:"
        "iqn.2026-12.org.example:root rd.iscsi.initiator=iqn.2026-12.org.example:n1 "
        "rd.iscsi.bootif=52:54:00:3A:5C:01\n")
    before = snapshot(node)
    assert config(node, "set", "network.bootif=eth0", "network.bootproto=static", "network.ip.address=192.0.2.10",
                  "network.ip.netmask=24") == 2
    err = capsys.readouterr().err
    assert ("eth0 carries this node's root disk (iSCSI LUN 1 of iqn.2026-12.org.example:root at 192.0.2.5:3260): "
            "it cannot be changed while the node runs from it") in err
    assert changed_paths(before, snapshot(node)) == set()
    assert config(node, "set", "network.interfaces=eth0:ipv4=dhcp,ipv6=auto;eth2:ipv4=dhcp,ipv6=none") == 0
    assert config(node, "set", "network.hostname=iscsi-node.example.com") == 0
