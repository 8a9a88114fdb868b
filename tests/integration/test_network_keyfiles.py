"""Network connections -> NetworkManager keyfiles through Augeas, and back.

Every combination of tests/integration/network_cases.py is written by the engine on a copy of
the demo node, compared byte for byte with its golden keyfiles, checked by NetworkManager's own
keyfile parser (`nmcli --offline`), and read back into the same model.
"""

from __future__ import annotations

import configparser
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine, InvalidChanges
from ovirt_node.core.root import Root
from ovirt_node.network.keyfile import KEYFILE_DIR
from ovirt_node.network.model import check_change, check_network, format_spec, parse_spec
from ovirt_node.network.section import NetworkSection
from tests.integration.network_cases import CASES
from tests.node_fixtures import changed_paths, snapshot

GOLDEN = Path(__file__).parent / "golden" / "keyfiles"


def engine(root: Path) -> Engine:
    return Engine(Context(root=Root.at(root)), [NetworkSection()])


def nm_check(path: Path) -> None:
    """NetworkManager's keyfile reader and verifier, without a daemon."""
    if shutil.which("nmcli") is None:
        pytest.skip("nmcli (network-manager) is not installed")
    with path.open() as handle:
        result = subprocess.run(["nmcli", "--offline", "connection", "modify", "connection.autoconnect", "yes"],
                                stdin=handle, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{path.name}: {result.stderr}"


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden_keyfiles_round_trip(node_root: Path, case: str) -> None:
    (node_root / KEYFILE_DIR.lstrip("/") / "eth0.nmconnection").unlink()
    engine(node_root).apply({"network.interfaces": CASES[case]})
    written = sorted((node_root / KEYFILE_DIR.lstrip("/")).iterdir())
    expected = sorted((GOLDEN / case).iterdir())
    assert [p.name for p in written] == [p.name for p in expected]
    for got, want in zip(written, expected, strict=True):
        assert got.read_text() == want.read_text(), got.name
        assert stat.S_IMODE(got.stat().st_mode) == 0o600
        nm_check(got)
    assert engine(node_root).values(["network"])["network.interfaces"] == CASES[case]
    assert format_spec(parse_spec(CASES[case])) == CASES[case]


def test_a_changed_connection_keeps_its_file_uuid_and_other_keys(node_root: Path) -> None:
    path = node_root / KEYFILE_DIR.lstrip("/") / "eth0.nmconnection"
    engine(node_root).apply({"network.interfaces": "eth0:ipv4=static,ip=192.0.2.10/24,gw=192.0.2.1,ipv6=auto"})
    keyfile = configparser.ConfigParser(interpolation=None)
    keyfile.read(path)
    assert keyfile["connection"]["uuid"] == "5f0c6f2e-8d3b-4d8e-9a34-1c0e2b7a9d01"
    assert keyfile["ethernet"]["mac-address"] == "52:54:00:3A:5C:01"  # not ours: kept
    assert dict(keyfile["ipv4"]) == {"method": "manual", "address1": "192.0.2.10/24", "gateway": "192.0.2.1"}
    assert dict(keyfile["ipv6"]) == {"addr-gen-mode": "eui64", "method": "auto"}
    nm_check(path)


def test_only_the_changed_connections_are_written(node_root: Path) -> None:
    eng = engine(node_root)
    spec = "eth0:ipv4=dhcp,ipv6=auto;" + CASES["vlan-on-bond"]
    eng.apply({"network.interfaces": spec})
    before = snapshot(node_root)
    engine(node_root).apply({"network.interfaces": spec.replace("198.51.100.7", "198.51.100.8")})
    assert changed_paths(before, snapshot(node_root)) == {
        f"{KEYFILE_DIR}/bond0.30.nmconnection", "/etc/default/ovirt"}


def test_removing_a_bond_deletes_its_keyfiles_and_frees_the_nics(node_root: Path) -> None:
    engine(node_root).apply({"network.interfaces": "eth0:ipv4=dhcp,ipv6=auto;" + CASES["bond-802.3ad"]})
    engine(node_root).apply({"network.interfaces": "eth0:ipv4=dhcp,ipv6=auto"})
    assert sorted(p.name for p in (node_root / KEYFILE_DIR.lstrip("/")).iterdir()) == ["eth0.nmconnection"]


@pytest.mark.parametrize(("spec", "message"), [
    ("eth1:ipv4=none,ipv6=none;eth1.20:type=vlan,parent=eth1,id=20,ipv4=dhcp,ipv6=none;"
     "vlan20b:type=vlan,parent=eth1,id=20,ipv4=dhcp,ipv6=none", "VLAN 20 is already on eth1"),
    ("bond0:type=bond,mode=active-backup,lacp_rate=fast,ipv4=dhcp,ipv6=none;eth1:master=bond0",
     "lacp_rate only applies to mode 802.3ad"),
    ("bond0:type=bond,mode=active-backup,xmit_hash_policy=layer2,ipv4=dhcp,ipv6=none;eth1:master=bond0",
     "xmit_hash_policy only applies to modes"),
    ("bond0:type=bond,mode=802.3ad,primary=eth1,ipv4=dhcp,ipv6=none;eth1:master=bond0",
     "primary only applies to mode active-backup"),
    ("bond0:type=bond,mode=802.3ad,ipv4=dhcp,ipv6=none", "a bond needs at least one slave"),
    ("eth1:ipv4=none,ipv6=none;eth1.5000:type=vlan,parent=eth1,id=5000,ipv4=dhcp,ipv6=none",
     "the VLAN ID must be from 1 to 4094"),
    ("eth0:ipv4=static,ip=192.0.2.10/33,ipv6=none", "IPv4 prefix must be from 1 to 32"),
    ("eth0:ipv4=static,ipv6=none", "a static address is needed"),
    ("verylongname0123:ipv4=dhcp,ipv6=none", "longer than the kernel's 15 characters"),
])
def test_rules_across_connections_refuse_and_write_nothing(node_root: Path, spec: str, message: str) -> None:
    before = snapshot(node_root)
    with pytest.raises(InvalidChanges) as err:
        engine(node_root).apply({"network.interfaces": spec})
    assert message in err.value.errors["network.interfaces"]
    assert changed_paths(before, snapshot(node_root)) == set()


def test_a_slave_of_another_bond_or_the_nic_in_use_cannot_join_a_bond() -> None:
    old = parse_spec("eth0:ipv4=dhcp,ipv6=auto;bond1:type=bond,mode=active-backup,ipv4=dhcp,ipv6=none;"
                     "eth1:master=bond1")
    new = parse_spec("eth0:master=bond0;bond1:type=bond,mode=active-backup,ipv4=dhcp,ipv6=none;eth1:master=bond0;"
                     "bond0:type=bond,mode=active-backup,ipv4=dhcp,ipv6=none;eth2:master=bond1")
    assert check_change(old, new) == ["eth0 is the management NIC in use: it cannot become a slave of bond0",
                                      "eth1 is already a slave of bond1"]
    assert check_network(new, ["eth0", "eth1", "eth2"]) == []
    assert check_network(new, ["eth0", "eth1"]) == ["eth2: no such NIC on this machine"]
