"""Applying network changes over a real private D-Bus: python-dbusmock's NetworkManager template
with our checkpoint/LoadConnections additions (ovirt_node/demo/templates/nm_checkpoints.py), and
our hostnamed mock.

What is proven: a checkpoint is created over exactly the devices that change, only the changed
keyfiles are loaded and only their connections activated (eth0 is never touched), the checkpoint
is destroyed on confirmation; without confirmation (or when activation fails) NetworkManager is
asked to roll back and the keyfiles and the defaults file are back byte for byte.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dbus
import dbus.bus
import pytest

from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.core.transaction import Confirmation, TransactionError
from ovirt_node.demo.bus import MOCK_IFACE, MockService
from ovirt_node.demo.templates import hostnamed_mock, networkmanager_mock
from ovirt_node.network.apply import DEFAULT_CONFIRM_TIMEOUT
from ovirt_node.network.section import NetworkSection
from ovirt_node.system.nm import BUS_NAME, MANAGER_IFACE, MANAGER_PATH, SETTINGS_PATH, NetworkManager
from tests.integration.network_cases import CASES
from tests.node_fixtures import changed_paths, run_config, snapshot

BOND_VLAN = "eth0:ipv4=dhcp,ipv6=auto;" + CASES["vlan-on-bond"]


@pytest.fixture
def nm(private_bus: str) -> Iterator[MockService]:
    with networkmanager_mock(private_bus, ["eth0", "eth1", "eth2"]) as svc:
        yield svc


def calls(svc: MockService, method: str, path: str = MANAGER_PATH) -> list[Any]:
    """The arguments of each call of `method` on the object at `path`."""
    bus = dbus.bus.BusConnection(svc.address)
    try:
        mock = dbus.Interface(bus.get_object(BUS_NAME, path), MOCK_IFACE)
        return [c[2] for c in mock.GetCalls() if c[1] == method]
    finally:
        bus.close()


def engine(root: Path, bus: str) -> Engine:
    return Engine(Context(root=Root.at(root), bus=bus), [NetworkSection()])


def rollbacks(bus: str) -> list[str]:
    with NetworkManager.connect(bus) as client:
        return [str(r) for r in client._get(MANAGER_PATH, MANAGER_IFACE, "MockRollbacks")]


def test_confirmed_change_activates_only_the_changed_connections(node_root: Path, nm: MockService,
                                                                  private_bus: str) -> None:
    eng = engine(node_root, private_bus)
    tx = eng.plan({"network.interfaces": BOND_VLAN})
    asked: list[int] = []
    tx.run(eng.ctx, confirm=Confirmation(lambda t: asked.append(t) or True, 30))
    assert asked == [30]
    (devices, timeout, _flags), = calls(nm, "CheckpointCreate")
    assert sorted(str(d).rsplit("/", 1)[1] for d in devices) == ["eth1", "eth2"]  # bond0, bond0.30: not yet
    assert int(timeout) == 30 + 45
    (files,), = calls(nm, "LoadConnections", SETTINGS_PATH)
    assert sorted(Path(f).name for f in files) == ["bond0.30.nmconnection", "bond0.nmconnection",
                                                   "eth1.nmconnection", "eth2.nmconnection"]
    activated = calls(nm, "ActivateConnection")
    assert len(activated) == 4 and all(not str(dev).endswith("/eth0") for _c, dev, _ap in activated)
    assert len(calls(nm, "CheckpointDestroy")) == 1 and not calls(nm, "CheckpointRollback")
    with NetworkManager.connect(private_bus) as client:
        assert client.checkpoints() == []


def test_not_confirmed_rolls_back_everything(node_root: Path, nm: MockService, private_bus: str) -> None:
    before = snapshot(node_root)
    eng = engine(node_root, private_bus)
    tx = eng.plan({"network.interfaces": BOND_VLAN, "network.hostname": "kept.example.com"})
    with hostnamed_mock(private_bus, "demo-node"), pytest.raises(
            TransactionError, match="rolled back at the operator's request"):
        tx.run(eng.ctx, confirm=Confirmation(lambda _t: False, DEFAULT_CONFIRM_TIMEOUT))
    assert len(calls(nm, "CheckpointRollback")) == 1 and rollbacks(private_bus)[0].startswith("asked:")
    assert changed_paths(before, snapshot(node_root)) == set()


def test_the_same_planned_change_declined_then_kept_leaves_its_steps_as_planned(
        node_root: Path, nm: MockService, private_bus: str) -> None:
    """The confirmation is an argument of the run, not a part of the plan: one plan, declined
    (everything rolled back), then run again and kept; no run writes to a planned step."""
    before = snapshot(node_root)
    eng = engine(node_root, private_bus)
    tx = eng.plan({"network.interfaces": BOND_VLAN})
    held = [(id(step), dict(vars(step))) for step in tx.steps]
    with pytest.raises(TransactionError, match="not confirmed within 30 s"):
        tx.run(eng.ctx, confirm=Confirmation(lambda _t: None, 30))
    assert changed_paths(before, snapshot(node_root)) == set()
    assert [(id(step), dict(vars(step))) for step in tx.steps] == held
    asked: list[int] = []
    tx.run(eng.ctx, confirm=Confirmation(lambda t: asked.append(t) or True, 30))
    assert asked == [30] and (node_root / "etc/NetworkManager/system-connections/bond0.nmconnection").exists()
    assert [(id(step), dict(vars(step))) for step in tx.steps] == held
    assert [int(timeout) for _d, timeout, _f in calls(nm, "CheckpointCreate")] == [30 + 45, 30 + 45]
    assert len(calls(nm, "CheckpointRollback")) == 1 and len(calls(nm, "CheckpointDestroy")) == 1
    with NetworkManager.connect(private_bus) as client:
        assert client.checkpoints() == []


def test_activation_failure_rolls_back(node_root: Path, nm: MockService, private_bus: str) -> None:
    nm.mock.AddMethod(MANAGER_IFACE, "ActivateConnection", "ooo", "o",
                      "raise dbus.exceptions.DBusException('no carrier', "
                      "name='org.freedesktop.NetworkManager.Device.NotActive')")
    before = snapshot(node_root)
    with pytest.raises(TransactionError, match="no carrier"):
        engine(node_root, private_bus).apply({"network.interfaces": BOND_VLAN})
    assert len(calls(nm, "CheckpointRollback")) == 1
    assert changed_paths(before, snapshot(node_root)) == set()


def test_networkmanager_rolls_back_by_itself_when_the_timeout_passes(nm: MockService, private_bus: str) -> None:
    with NetworkManager.connect(private_bus) as client:
        eth1 = client.device("eth1")
        assert eth1 is not None
        checkpoint = client.checkpoint_create([eth1], 1)
        nm.mock.SetDeviceDisconnected(eth1)
        deadline = time.monotonic() + 5
        while client.checkpoints() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.checkpoints() == [] and rollbacks(private_bus) == [f"timeout:{checkpoint}"]
        assert client.device_state(eth1) == 100  # the device state of the checkpoint is back


def test_hostname_and_dns_go_to_hostnamed_and_networkmanager(node_root: Path, nm: MockService,
                                                              private_bus: str) -> None:
    with hostnamed_mock(private_bus, "demo-node", node_root) as hostnamed:
        engine(node_root, private_bus).apply({"network.hostname": "node3.example.com", "network.dns": "192.0.2.9"})
        assert hostnamed.mock.GetCalls()[-1][1] == "SetHostname"
    assert (node_root / "etc/hostname").read_text() == "node3.example.com\n"
    assert [int(a[0]) for a in calls(nm, "Reload")] == [0]
    assert not calls(nm, "CheckpointCreate")  # no connection changed


@pytest.mark.parametrize(("answer", "code", "reason"), [
    ("yes\n", 0, ""), ("no\n", 3, "rolled back at the operator's request"), ("", 3, "not confirmed within 20 s")])
def test_cli_confirm_timeout(node_root: Path, nm: MockService, private_bus: str, answer: str, code: int,
                             reason: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "--bus", private_bus, "set", "--confirm-timeout", "20",
                        f"network.interfaces={BOND_VLAN}", stdin=answer)
    assert result.returncode == code, result.stderr
    assert "Type yes within 20 s to keep it" in result.stderr
    if code == 0:
        assert (node_root / "etc/NetworkManager/system-connections/bond0.30.nmconnection").exists()
    else:
        assert reason in result.stderr
        assert changed_paths(before, snapshot(node_root)) == set()
