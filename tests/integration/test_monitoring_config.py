"""Monitoring (collectd's network plugin) end to end: `ovirt-node-config` in a real process on a
copied node tree, real Augeas with the stock Collectd lens, collectd's own checks on every file
written, a real collectd sending to the configured port, and the restart on a private D-Bus.

collectd 5.12's `-t` does not read the file at all (it exits 0 at once; upstream issue 3216), so
`check_collectd` also runs `-T` (parse, load the plugins, read once, exit) with a log plugin on
stderr in front of the file: rc 0 and none of collectd's configuration complaints.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from ovirt_node.core.resources import copy_demo_root
from tests.dbus_env import MockService
from tests.integration.collectd_log import COMPLAINTS
from tests.integration.el_node import make_el_root
from tests.node_fixtures import DEMO_ROOT, changed_paths, run_config, snapshot

COLLECTD = shutil.which("collectd") or "/usr/sbin/collectd"
needs_collectd = pytest.mark.skipif(not Path(COLLECTD).exists(), reason="collectd is not installed")

DEBIAN_CONF = "etc/collectd/collectd.conf"


def check_collectd(conf: Path, tmp_path: Path) -> str:
    """collectd's own verdict on `conf`; fails the test on any complaint. Returns its log."""
    plain = subprocess.run([COLLECTD, "-t", "-C", str(conf)], capture_output=True, text=True, timeout=30)
    assert plain.returncode == 0, plain.stderr
    wrapper = tmp_path / "check-collectd.conf"
    wrapper.write_text('LoadPlugin logfile\n<Plugin logfile>\n\tLogLevel info\n\tFile STDERR\n</Plugin>\n'
                       f'Include "{conf}"\n')
    run = subprocess.run([COLLECTD, "-B", "-T", "-C", str(wrapper)], capture_output=True, text=True, timeout=60)
    log = run.stdout + run.stderr
    assert run.returncode == 0, log
    assert not [line for line in log.splitlines() if any(c in line for c in COMPLAINTS)], log
    return log


def set_keys(root: Path, *changes: str) -> None:
    result = run_config("--root", str(root), "set", *changes)
    assert result.returncode == 0, result.stderr


def shown(root: Path, key: str) -> str:
    return run_config("--root", str(root), "get", key, check=True).stdout.strip()


@needs_collectd
def test_the_checker_catches_a_broken_network_block(node_root: Path, tmp_path: Path) -> None:
    """The check itself can fail: a network block without its LoadPlugin is refused."""
    conf = node_root / DEBIAN_CONF
    conf.write_text(conf.read_text() + '<Plugin network>\n\tServer "192.0.2.1" "25826"\n</Plugin>\n')
    with pytest.raises(AssertionError, match="There is configuration for the `network' plugin"):
        check_collectd(conf, tmp_path)


@needs_collectd
@pytest.mark.parametrize("changes", [
    ["monitoring.collectd.server=192.0.2.10"],
    ["monitoring.collectd.server=collectd.example.com", "monitoring.collectd.port=3000"],
    ["monitoring.collectd.server=2001:db8::10", "monitoring.collectd.port=65535"],
])
def test_server_is_written_checked_and_read_back(node_root: Path, tmp_path: Path, changes: list[str]) -> None:
    before = snapshot(node_root)
    set_keys(node_root, *changes)
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", f"/{DEBIAN_CONF}"}
    check_collectd(node_root / DEBIAN_CONF, tmp_path)
    wanted = dict(c.split("=", 1) for c in changes)
    assert shown(node_root, "monitoring.collectd.server") == wanted["monitoring.collectd.server"]
    assert shown(node_root, "monitoring.collectd.port") == wanted.get("monitoring.collectd.port", "25826")
    text = (node_root / DEBIAN_CONF).read_text()
    assert text.count("LoadPlugin network") == 1
    assert text.index("LoadPlugin network") < text.index("<Plugin network>")
    assert "LoadPlugin cpu" in text and 'Hostname "demo-node.example.com"' in text  # the rest is kept
    defaults = (node_root / "etc/default/ovirt").read_text()
    assert f'OVIRT_COLLECTD_SERVER="{wanted["monitoring.collectd.server"]}"' in defaults


def test_glued_arguments_of_an_earlier_write_are_spaced(node_root: Path) -> None:
    conf = node_root / DEBIAN_CONF
    conf.write_text(conf.read_text() + 'LoadPlugin network\n<Plugin network>\nServer "192.0.2.1""25826"\n</Plugin>\n'
                    '<Plugin other>\nServer "x""1"\n</Plugin>\n')
    set_keys(node_root, "monitoring.collectd.port=3000")
    text = conf.read_text()
    assert 'Server "192.0.2.1" "3000"\n' in text
    assert 'Server "x""1"\n' in text  # another plugin's line is not ours to touch


def test_golden_file(node_root: Path) -> None:
    set_keys(node_root, "monitoring.collectd.server=192.0.2.10")
    original = (DEMO_ROOT / DEBIAN_CONF).read_text()
    expected = original.replace("LoadPlugin memory\n", "LoadPlugin memory\nLoadPlugin network\n")
    expected += '<Plugin network>\nServer "192.0.2.10" "25826"\n</Plugin>\n'  # two arguments, spaced
    assert (node_root / DEBIAN_CONF).read_text() == expected


@needs_collectd
def test_empty_server_turns_the_network_plugin_off(node_root: Path, tmp_path: Path) -> None:
    original = (node_root / DEBIAN_CONF).read_text()
    set_keys(node_root, "monitoring.collectd.server=192.0.2.10")
    set_keys(node_root, "monitoring.collectd.server=")
    assert (node_root / DEBIAN_CONF).read_text() == original
    check_collectd(node_root / DEBIAN_CONF, tmp_path)
    assert shown(node_root, "monitoring.collectd.server") == ""
    assert "OVIRT_COLLECTD_SERVER" not in (node_root / "etc/default/ovirt").read_text()


@needs_collectd
def test_existing_block_keeps_its_layout_and_listen_keeps_the_plugin(node_root: Path, tmp_path: Path) -> None:
    conf = node_root / DEBIAN_CONF
    conf.write_text(conf.read_text() + 'LoadPlugin network\n<Plugin "network">\n\tServer "old.example.com" "25826"\n'
                    '\tServer "second.example.com"\n\tListen "0.0.0.0" "25827"\n</Plugin>\n')
    assert shown(node_root, "monitoring.collectd.server") == "old.example.com"
    set_keys(node_root, "monitoring.collectd.server=192.0.2.20", "monitoring.collectd.port=4000")
    text = conf.read_text()
    assert '\tServer "192.0.2.20" "4000"\n' in text and "second.example.com" not in text
    check_collectd(conf, tmp_path)
    set_keys(node_root, "monitoring.collectd.server=")
    text = conf.read_text()
    assert "Server" not in text  # no server any more ...
    assert 'Listen "0.0.0.0" "25827"' in text and "LoadPlugin network" in text  # ... but it still relays
    check_collectd(conf, tmp_path)


@needs_collectd
def test_server_block_keeps_its_security_options(node_root: Path, tmp_path: Path) -> None:
    conf = node_root / DEBIAN_CONF
    conf.write_text(conf.read_text() + 'LoadPlugin network\n<Plugin network>\n\t<Server "old.example.com" "25826">\n'
                    '\t\tSecurityLevel Encrypt\n\t\tUsername "node"\n\t\tPassword "s3cret"\n\t</Server>\n</Plugin>\n')
    assert shown(node_root, "monitoring.collectd.server") == "old.example.com"
    set_keys(node_root, "monitoring.collectd.server=192.0.2.40")
    text = conf.read_text()
    assert '\t<Server "192.0.2.40" "25826">\n\t\tSecurityLevel Encrypt\n' in text and "old.example.com" not in text
    check_collectd(conf, tmp_path)
    assert shown(node_root, "monitoring.collectd.server") == "192.0.2.40"


@needs_collectd
def test_el_platform_writes_etc_collectd_conf(node_root: Path, tmp_path: Path) -> None:
    (node_root / "etc/os-release").write_text('NAME="CentOS Stream"\nID="centos"\nID_LIKE="rhel fedora"\n')
    (node_root / "etc/collectd.conf").write_text("LoadPlugin syslog\nLoadPlugin cpu\n")
    before = snapshot(node_root)
    set_keys(node_root, "monitoring.collectd.server=192.0.2.30")
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", "/etc/collectd.conf"}
    assert (node_root / "etc/collectd.conf").read_text() == (
        'LoadPlugin syslog\nLoadPlugin cpu\nLoadPlugin network\n<Plugin network>\nServer "192.0.2.30" "25826"\n'
        "</Plugin>\n")
    check_collectd(node_root / "etc/collectd.conf", tmp_path)
    assert shown(node_root, "monitoring.collectd.server") == "192.0.2.30"


def _free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@needs_collectd
def test_collectd_sends_to_the_configured_server_and_port(node_root: Path, tmp_path: Path) -> None:
    """The written Server line as collectd reads it: a real collectd sends its first values there."""
    conf = node_root / DEBIAN_CONF
    conf.write_text(f'Interval 1\nPIDFile "{tmp_path}/collectd.pid"\nLoadPlugin load\n')
    port = _free_udp_port()
    set_keys(node_root, "monitoring.collectd.server=127.0.0.1", f"monitoring.collectd.port={port}")
    assert f'Server "127.0.0.1" "{port}"\n' in conf.read_text()  # two arguments, as collectd shows below
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as server:
        server.bind(("127.0.0.1", port))
        server.settimeout(10)
        daemon = subprocess.Popen([COLLECTD, "-B", "-f", "-C", str(conf)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            time.sleep(1.5)  # a read or two; the network plugin sends what it buffered when it stops
        finally:
            daemon.terminate()
            daemon.wait(timeout=10)
        packet, _sender = server.recvfrom(65535)
    assert b"load" in packet  # collectd's binary protocol names the plugin in plain text


# -- bad input: exit 2, the key and the rule named, nothing written --------------------------

@pytest.mark.parametrize(("change", "message"), [
    ("monitoring.collectd.port=0", "invalid monitoring.collectd.port: must be a port number from 1 to 65535"),
    ("monitoring.collectd.port=70000", "invalid monitoring.collectd.port: must be a port number from 1 to 65535"),
    ("monitoring.collectd.server=bad_host!", "invalid monitoring.collectd.server: must be"),
    ('monitoring.collectd.server=a" "b', "invalid monitoring.collectd.server: must be"),
])
def test_bad_input_exits_2_and_writes_nothing(node_root: Path, change: str, message: str) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "set", "monitoring.collectd.server=192.0.2.1", change)
    assert result.returncode == 2
    assert message in result.stderr
    assert snapshot(node_root) == before


# -- kernel arguments -------------------------------------------------------------------------

def test_kernel_argument_collectd_host_port(node_root: Path) -> None:
    result = run_config("--root", str(node_root), "cmdline", "collectd=[2001:db8::7]:3000")
    assert result.returncode == 0, result.stderr
    assert shown(node_root, "monitoring.collectd.server") == "2001:db8::7"
    assert shown(node_root, "monitoring.collectd.port") == "3000"


def test_kernel_argument_with_a_bad_port_is_logged_and_skipped(node_root: Path) -> None:
    before = snapshot(node_root)
    result = run_config("--root", str(node_root), "cmdline", "collectd=collectd.example.com:70000")
    assert result.returncode == 0
    assert "skipped: collectd=collectd.example.com:70000: monitoring.collectd.port: must be a port" in result.stdout
    assert result.stdout.count("collectd.example.com:70000") == 1 and result.stderr == ""  # said once
    assert snapshot(node_root) == before


# -- the restart, on a private D-Bus -----------------------------------------------------------

def test_collectd_is_restarted_over_the_bus(node_root: Path, systemd_mock: MockService) -> None:
    systemd_mock.mock.AddMockUnit("collectd.service")
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set",
                        "monitoring.collectd.server=192.0.2.10")
    assert result.returncode == 0, result.stderr
    assert "Restart collectd.service: done" in result.stdout
    calls = [(str(name), [str(a) for a in args]) for _t, name, args in systemd_mock.mock.GetCalls()]
    assert ("RestartUnit", ["collectd.service", "replace"]) in calls


def test_failed_restart_puts_the_file_back(node_root: Path, systemd_mock: MockService) -> None:
    before = snapshot(node_root)  # collectd.service is unknown to the mock: the restart fails
    result = run_config("--root", str(node_root), "--bus", systemd_mock.address, "set",
                        "monitoring.collectd.server=192.0.2.10")
    assert result.returncode == 3 and "rolled back" in result.stderr
    assert snapshot(node_root) == before


# -- a node without collectd's configuration --------------------------------------------------

def el_root_without_collectd(tmp_path: Path) -> Path:
    """An EL node whose collectd is not installed: no /etc/collectd.conf."""
    root = make_el_root(copy_demo_root(tmp_path / "root"))
    (root / "etc/collectd.conf").unlink()
    return root


def test_a_missing_collectd_config_is_named_and_nothing_is_written(tmp_path: Path) -> None:
    """An EL node without /etc/collectd.conf: the failure says which file, not an empty reason."""
    root = el_root_without_collectd(tmp_path)
    before = snapshot(root)
    result = run_config("--root", str(root), "set", "monitoring.collectd.server=mon.example.com")
    assert result.returncode == 3
    assert ("Configure collectd's network plugin failed: /etc/collectd.conf does not exist: "
            "is collectd installed?; all changes were rolled back") in result.stderr
    assert snapshot(root) == before


def test_an_empty_collectd_config_gets_the_plugin(tmp_path: Path) -> None:
    """No LoadPlugin line and no block to put it before: the new line goes at the end."""
    root = make_el_root(copy_demo_root(tmp_path / "root"))
    (root / "etc/collectd.conf").write_text("")
    set_keys(root, "monitoring.collectd.server=mon.example.com")
    text = (root / "etc/collectd.conf").read_text()
    assert text.strip() == 'LoadPlugin network\n<Plugin network>\nServer "mon.example.com" "25826"\n</Plugin>'
    assert shown(root, "monitoring.collectd.server") == "mon.example.com"
    if Path(COLLECTD).exists():
        check_collectd(root / "etc/collectd.conf", tmp_path)


def test_cmdline_applies_area_by_area_and_reports_the_one_that_failed(tmp_path: Path) -> None:
    """Boot semantics: collectd cannot apply (no config), SSH and the host name still do."""
    root = el_root_without_collectd(tmp_path)
    debian_conf = (root / DEBIAN_CONF).read_bytes()
    result = run_config("--root", str(root), "cmdline", "collectd=mon.example.com", "ssh_pwauth=1",
                        "hostname=node1.example.com")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "applied: ssh (ssh.pwauth)\n" in result.stdout
    assert "applied: network (network.hostname)\n" in result.stdout
    assert ("failed: monitoring (monitoring.collectd.server): Configure collectd's network plugin failed: "
            "/etc/collectd.conf does not exist: is collectd installed?") in result.stdout
    assert "not applied (rolled back): monitoring; the other areas were applied" in result.stderr
    assert "PasswordAuthentication yes" in (root / "etc/ssh/sshd_config").read_text()
    assert (root / "etc/hostname").read_text().strip() == "node1.example.com"
    # collectd's files as they were, and its server not recorded as if it were set
    assert not (root / "etc/collectd.conf").exists()
    assert (root / DEBIAN_CONF).read_bytes() == debian_conf
    defaults = (root / "etc/default/ovirt").read_text()
    assert "OVIRT_COLLECTD_SERVER" not in defaults and 'OVIRT_SSH_PWAUTH="yes"' in defaults


def test_set_stays_all_or_nothing(tmp_path: Path) -> None:
    """An interactive change is one transaction: collectd's failure takes SSH's change back too."""
    root = el_root_without_collectd(tmp_path)
    before = snapshot(root)
    result = run_config("--root", str(root), "set", "monitoring.collectd.server=mon.example.com", "ssh.pwauth=yes")
    assert result.returncode == 3
    assert "/etc/collectd.conf does not exist: is collectd installed?; all changes were rolled back" in result.stderr
    assert snapshot(root) == before
