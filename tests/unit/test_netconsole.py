"""The netconsole client's pure parts: `ip -j route get` and `ip -j neigh` output (as iproute2
prints it; tests/integration/test_netconsole.py asks a real kernel in a network namespace),
and the configfs target written on a temp dir standing for /sys/kernel/config."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from ovirt_node.core.run import Runner
from ovirt_node.system import netconsole as nc

VIA_GATEWAY = '[{"dst":"198.51.100.9","gateway":"10.9.0.254","dev":"eth0","prefsrc":"10.9.0.1","flags":[],"uid":0}]'
ON_LINK = '[{"dst":"10.9.0.7","dev":"eth0","prefsrc":"10.9.0.1","flags":[],"uid":0,"cache":[]}]'
LOCAL = '[{"type":"local","dst":"10.9.0.1","dev":"lo","prefsrc":"10.9.0.1","flags":[],"uid":0,"cache":["local"]}]'
TARGET = nc.Target("eth0", "10.9.0.1", "198.51.100.9", 6666, "52:54:00:12:34:56")


def test_route_through_a_gateway() -> None:
    assert nc.parse_route(VIA_GATEWAY, "198.51.100.9") == nc.Route("eth0", "10.9.0.1", "10.9.0.254")


def test_route_on_the_link_has_the_server_as_next_hop() -> None:
    assert nc.parse_route(ON_LINK, "10.9.0.7") == nc.Route("eth0", "10.9.0.1", "10.9.0.7")


@pytest.mark.parametrize(("text", "message"), [
    (LOCAL, "the netconsole server 10.9.0.1 is this node itself"),
    ("[]", "no route to the netconsole server 10.9.0.1"),
    ('[{"type":"unreachable","dst":"10.9.0.1","flags":[]}]', "(the route is unreachable)"),
    ('[{"dst":"10.9.0.1","dev":"eth0","flags":[]}]', "(no interface or source address)"),
    ("RTNETLINK answers: oops", "unreadable ip route get output"),
])
def test_bad_routes_say_why(text: str, message: str) -> None:
    with pytest.raises(nc.NetconsoleError) as caught:
        nc.parse_route(text, "10.9.0.1")
    assert message in str(caught.value)


@pytest.mark.parametrize(("text", "mac"), [
    ('[{"dst":"10.9.0.254","lladdr":"52:54:00:AB:CD:EF","state":["REACHABLE"]}]', "52:54:00:ab:cd:ef"),
    ('[{"dst":"10.9.0.254","lladdr":"52:54:00:ab:cd:ef","state":["STALE"]}]', "52:54:00:ab:cd:ef"),
    ('[{"dst":"10.9.0.254","lladdr":"52:54:00:ab:cd:ef","state":["PERMANENT"]}]', "52:54:00:ab:cd:ef"),
    ('[{"dst":"10.9.0.254","state":["INCOMPLETE"]}]', None),
    ('[{"dst":"10.9.0.254","state":["FAILED"]}]', None),
    ('[{"dst":"10.9.0.2","lladdr":"52:54:00:ab:cd:ef","state":["REACHABLE"]}]', None),
    ("", None),
])
def test_neighbour_mac(text: str, mac: str | None) -> None:
    assert nc.parse_neighbour(text, "10.9.0.254") == mac


def configfs(tmp_path: Path) -> Path:
    (tmp_path / "netconsole").mkdir()
    return tmp_path


def attributes(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(folder.iterdir())}


def test_the_target_is_written_then_enabled(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "ovirt_node.system.netconsole")
    folder = nc.write_target(configfs(tmp_path), TARGET)
    assert folder == tmp_path / "netconsole/ovirt-node"
    assert attributes(folder) == {"dev_name": "eth0\n", "enabled": "1\n", "local_ip": "10.9.0.1\n",
                                  "remote_ip": "198.51.100.9\n", "remote_mac": "52:54:00:12:34:56\n",
                                  "remote_port": "6666\n"}
    written = [r.getMessage() for r in caplog.records]
    assert written[-1] == "netconsole: enabled = 1"  # enabled last: the kernel takes values only before


def test_an_enabled_target_is_disabled_before_it_is_rewritten(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    base = configfs(tmp_path)
    nc.write_target(base, TARGET)
    caplog.set_level(logging.INFO, "ovirt_node.system.netconsole")
    caplog.clear()  # only the rewrite's lines (another test may have left the logger at INFO)
    moved = nc.Target("bond0", "10.9.1.1", "198.51.100.9", 7777, "52:54:00:00:00:01")
    folder = nc.write_target(base, moved)
    written = [r.getMessage() for r in caplog.records]
    assert written[0] == "netconsole: enabled = 0" and written[-1] == "netconsole: enabled = 1"
    assert attributes(folder)["dev_name"] == "bond0\n" and attributes(folder)["remote_port"] == "7777\n"


def test_other_targets_are_left_alone(tmp_path: Path) -> None:
    base = configfs(tmp_path)
    (base / "netconsole/theirs").mkdir()
    nc.write_target(base, TARGET)
    assert [p.name for p in nc.targets(base)] == ["ovirt-node", "theirs"]
    assert list((base / "netconsole/theirs").iterdir()) == []


def test_removing(tmp_path: Path) -> None:
    base = configfs(tmp_path)
    assert nc.remove_target(base) is False  # none there
    (base / "netconsole/ovirt-node").mkdir()  # configfs lets an item's directory go with rmdir
    assert nc.remove_target(base) is True
    assert not (base / "netconsole/ovirt-node").exists()


def test_a_target_that_cannot_be_removed_says_so(tmp_path: Path) -> None:
    # A plain directory with files is not configfs: rmdir refuses, and the error names it.
    folder = nc.write_target(configfs(tmp_path), TARGET)
    with pytest.raises(nc.NetconsoleError, match=f"cannot remove the netconsole target {folder}: "):
        nc.remove_target(tmp_path)


def test_a_target_that_cannot_be_written_says_so(tmp_path: Path) -> None:
    with pytest.raises(nc.NetconsoleError, match="cannot create the netconsole target"):
        nc.write_target(tmp_path, TARGET)  # no netconsole/ directory: the module is not loaded
    assert not (tmp_path / "netconsole").exists()


def test_no_module_is_a_clear_error(tmp_path: Path) -> None:
    # This machine has no /lib/modules: the real modprobe fails, as on a kernel without netconsole.
    assert shutil.which("modprobe") or Path("/usr/sbin/modprobe").exists(), "kmod is not installed"
    with pytest.raises(nc.NetconsoleError, match="cannot load the netconsole kernel module: modprobe exited"):
        nc.ensure_module(tmp_path, Runner())
    calls = Runner()
    nc.ensure_module(configfs(tmp_path), calls)  # already loaded: nothing run
    assert calls.calls == []


def test_a_name_that_does_not_resolve() -> None:
    with pytest.raises(nc.NetconsoleError, match="cannot resolve the netconsole server nc.invalid"):
        nc.server_address("nc.invalid")
    assert nc.server_address("192.0.2.9") == "192.0.2.9"
