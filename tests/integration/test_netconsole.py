"""`ovirt-node-netconsole` end to end, against a real kernel's routing and neighbour tables.

Each run is in a private network namespace: this node's end of a veth pair (v0, 10.9.0.1/24)
and, in a second namespace, a peer (10.9.0.7) that answers ARP, also the gateway to
198.51.100.0/24. The setting is made with `ovirt-node-config` on a copy of the demo node (a
Debian node: no /etc/sysconfig/netconsole); configfs is a temp dir with its netconsole/
directory (the module loaded), since this kernel has no netconsole to load.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.el_node import make_el_root
from tests.node_fixtures import run_config

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("unshare") is None, reason="needs root")

NETWORK = """\
set -e
mount -t tmpfs none /run
ip netns add peer
ip link set lo up
ip link add v0 type veth peer name v1
ip link set v1 netns peer
ip addr add 10.9.0.1/24 dev v0
ip link set v0 up
ip -n peer addr add 10.9.0.7/24 dev v1
ip -n peer link set v1 up
ip route add 198.51.100.0/24 via 10.9.0.7
ip -n peer -j link show v1 > "$PEER_LINK"
exec "$@"
"""


def netconsole(root: Path, configfs: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], str]:
    """The command in the namespaces; its result and the peer's MAC address."""
    peer = root.parent / "peer-link.json"
    command = [sys.executable, "-m", "ovirt_node.cli.netconsole", "--root", str(root), "--configfs", str(configfs),
               *args]
    result = subprocess.run(["unshare", "-m", "-n", "--propagation", "private", "sh", "-c", NETWORK, "sh", *command],
                            capture_output=True, text=True, env={**os.environ, "PEER_LINK": str(peer)}, timeout=60)
    mac = json.loads(peer.read_text())[0]["address"] if peer.exists() and peer.read_text() else ""
    return result, mac


@pytest.fixture
def configfs(tmp_path: Path) -> Path:
    (tmp_path / "configfs/netconsole").mkdir(parents=True)
    return tmp_path / "configfs"


def set_server(root: Path, server: str, port: str = "6666") -> None:
    run_config("--root", str(root), "set", f"logging.netconsole.server={server}", f"logging.netconsole.port={port}",
               check=True)


def target(configfs: Path) -> dict[str, str]:
    folder = configfs / "netconsole/ovirt-node"
    return {p.name: p.read_text().strip() for p in folder.iterdir()} if folder.is_dir() else {}


def test_a_server_on_the_link(node_root: Path, configfs: Path) -> None:
    set_server(node_root, "10.9.0.7", "6667")
    result, mac = netconsole(node_root, configfs, "start")
    assert result.returncode == 0, result.stderr
    assert target(configfs) == {"dev_name": "v0", "local_ip": "10.9.0.1", "remote_ip": "10.9.0.7",
                                "remote_port": "6667", "remote_mac": mac, "enabled": "1"}
    assert result.stdout == f"ovirt-node-netconsole: kernel messages go to 10.9.0.7:6667 from 10.9.0.1 on v0 ({mac})\n"
    status, _mac = netconsole(node_root, configfs, "status")
    assert f"(enabled): 10.9.0.7:6667 from 10.9.0.1 on v0 ({mac})" in status.stdout


def test_a_server_behind_a_gateway_gets_the_gateways_mac(node_root: Path, configfs: Path) -> None:
    set_server(node_root, "198.51.100.9")
    result, mac = netconsole(node_root, configfs, "start")
    assert result.returncode == 0, result.stderr
    assert target(configfs)["remote_ip"] == "198.51.100.9" and target(configfs)["remote_mac"] == mac
    assert "via 10.9.0.7" in result.stdout


def test_a_server_nobody_answers_for_fails_and_writes_nothing(node_root: Path, configfs: Path) -> None:
    set_server(node_root, "10.9.0.99")
    result, _mac = netconsole(node_root, configfs, "start")
    assert result.returncode == 1
    assert result.stderr == ("ovirt-node-netconsole: the netconsole server 10.9.0.99 is unreachable: 10.9.0.99 "
                             "did not answer on v0 (no MAC address in the neighbour table)\n")
    assert target(configfs) == {}


def test_no_route_fails_and_writes_nothing(node_root: Path, configfs: Path) -> None:
    set_server(node_root, "203.0.113.5")
    result, _mac = netconsole(node_root, configfs, "start")
    assert result.returncode == 1
    assert result.stderr == ("ovirt-node-netconsole: no route to the netconsole server 203.0.113.5: "
                             "RTNETLINK answers: Network is unreachable\n")
    assert target(configfs) == {}


def test_no_server_is_off(node_root: Path, configfs: Path) -> None:
    result, _mac = netconsole(node_root, configfs, "start")
    assert (result.returncode, result.stdout) == (0, "ovirt-node-netconsole: netconsole is off (no server set)\n")
    (configfs / "netconsole/ovirt-node").mkdir()  # as configfs shows a target: a directory rmdir takes
    set_server(node_root, "10.9.0.7")
    set_server(node_root, "")
    result, _mac = netconsole(node_root, configfs, "start")
    assert result.stdout == "ovirt-node-netconsole: netconsole is off (no server set); the target was removed\n"
    assert not (configfs / "netconsole/ovirt-node").exists()


def test_debian_restarts_our_unit_and_writes_no_el_file(node_root: Path) -> None:
    out = run_config("--root", str(node_root), "set", "--dry-run", "logging.netconsole.server=192.0.2.9",
                     check=True).stdout
    assert "Restart ovirt-node-netconsole.service" in out and "Configure netconsole" not in out, out
    set_server(node_root, "192.0.2.9")
    assert 'OVIRT_NETCONSOLE_SERVER="192.0.2.9"' in (node_root / "etc/default/ovirt").read_text()
    assert not (node_root / "etc/sysconfig/netconsole").exists()
    shown = json.loads(run_config("--root", str(node_root), "show", "--json", check=True).stdout)
    assert shown["logging.netconsole.server"]["value"] == "192.0.2.9"


def test_el_keeps_its_netconsole_service(node_root: Path) -> None:
    make_el_root(node_root)
    out = run_config("--root", str(node_root), "set", "--dry-run", "logging.netconsole.server=192.0.2.9",
                     check=True).stdout
    assert "Configure netconsole" in out and "Restart netconsole.service" in out, out
    set_server(node_root, "192.0.2.9", "6000")
    text = (node_root / "etc/sysconfig/netconsole").read_text()
    assert "SYSLOGADDR=192.0.2.9" in text and "SYSLOGPORT=6000" in text


def test_a_failed_restart_leaves_the_previous_target_sending(node_root: Path, configfs: Path) -> None:
    """The engine rolls a change back when the unit fails: the kernel keeps the old target."""
    set_server(node_root, "10.9.0.7")
    assert netconsole(node_root, configfs, "start")[0].returncode == 0
    before = target(configfs)
    set_server(node_root, "203.0.113.5")
    result, _mac = netconsole(node_root, configfs, "start")
    assert result.returncode == 1 and "no route" in result.stderr
    assert target(configfs) == before and before["enabled"] == "1"
