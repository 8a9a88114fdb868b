"""The Logging page through PageHarness on a copied demo node: remote fields follow whether a
network is configured (both cases), a negative rotation size is refused inline with nothing
written, and what a save writes passes rsyslogd's and logrotate's own checks."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ovirt_node.core.root import Root
from ovirt_node.pages.logging import NO_NETWORK, LoggingPage
from ovirt_node.report.status import network_configured
from ovirt_node.ui.page import PageContext, load_page
from ovirt_node.ui.plugins import discover
from ovirt_node.ui.testing import FakeUI, PageHarness
from tests.node_fixtures import snapshot
from tests.ui.pages import make_context

REMOTE = ("logging.rsyslog.server", "logging.rsyslog.port", "logging.rsyslog.protocol",
          "logging.netconsole.server", "logging.netconsole.port")
KEYFILE = "etc/NetworkManager/system-connections/eth0.nmconnection"


def harness(ctx: PageContext, apply: bool = False) -> PageHarness:
    return PageHarness(LoggingPage, ctx, ui=FakeUI(ctx, apply=apply))


def test_registered_like_a_plugin() -> None:
    assert LoggingPage in map(load_page, discover().pages)
    assert (LoggingPage.title, LoggingPage.rank) == ("Logging", 50)


def test_shows_what_the_files_say(page_ctx: PageContext, node_root: Path) -> None:
    (node_root / "etc/logrotate.d/ovirt-node").write_text(
        "/var/log/ovirt-node/*.log {\n    weekly\n    maxsize 2M\n}\n")
    (node_root / "etc/rsyslog.d/ovirt-node-remote.conf").write_text("*.* @@[2001:db8::9]:10514\n")
    h = harness(page_ctx)
    assert h.value("Max log size (KB)") == "2048" and h.value("Rotate logs") == "weekly"
    assert h.value("logging.rsyslog.server") == "2001:db8::9"
    assert h.value("logging.rsyslog.port") == "10514" and h.value("Protocol") == "tcp"
    assert h.value("logging.netconsole.port") == "6666"


def test_the_demo_node_has_a_network_and_the_remote_fields(page_ctx: PageContext) -> None:
    h = harness(page_ctx)
    assert NO_NETWORK not in h.text()
    assert h.enabled("logging.rsyslog.server") and h.enabled("logging.netconsole.server")
    # Port and protocol only matter once a server is given.
    assert not h.enabled("logging.rsyslog.port") and not h.enabled("Protocol")
    h.type("logging.rsyslog.server", "log.example.com")
    assert h.enabled("logging.rsyslog.port") and h.enabled("Protocol")
    assert not h.enabled("logging.netconsole.port")


def test_without_a_network_the_remote_fields_are_off_with_a_notice(node_root: Path) -> None:
    (node_root / KEYFILE).unlink()
    h = harness(make_context(node_root))
    assert " ".join(h.text().split()).count(" ".join(NO_NETWORK.split())) == 1
    assert not any(h.enabled(key) for key in REMOTE)
    assert h.enabled("Max log size (KB)") and h.enabled("Rotate logs")
    h.type("Max log size (KB)", "4096")
    assert h.changes() == {"logging.logrotate.max_size": "4096"}


@pytest.mark.parametrize(("how", "configured"), [
    ("bootif only", False),  # the defaults file claims a NIC, but no connection gives it an address
    ("no addresses", False),  # a connection with both families disabled
    ("static", True),
])
def test_the_network_model_decides(node_root: Path, how: str, configured: bool) -> None:
    keyfile = node_root / KEYFILE
    if how == "bootif only":
        keyfile.unlink()
        defaults = node_root / "etc/default/ovirt"
        defaults.write_text(defaults.read_text() + 'OVIRT_BOOTIF="eth0"\n')
    elif how == "no addresses":
        keyfile.write_text(keyfile.read_text().replace("method=auto", "method=disabled"))
    else:
        text = keyfile.read_text().replace("[ipv4]\nmethod=auto", "[ipv4]\nmethod=manual\naddress1=192.0.2.7/24")
        keyfile.write_text(text.replace("[ipv6]\naddr-gen-mode=eui64\nmethod=auto", "[ipv6]\nmethod=disabled"))
    h = harness(make_context(node_root))
    notice = " ".join(NO_NETWORK.split()) in " ".join(h.text().split())
    assert h.enabled("logging.rsyslog.server") is configured and notice is not configured


def test_network_configured_reads_the_model(node_root: Path) -> None:
    ctx = make_context(node_root)
    assert network_configured(Root.at(node_root), ctx.machine, "eth0:ipv4=dhcp,ipv6=none", None)
    assert network_configured(Root.at(node_root), ctx.machine, "eth1:master=bond0;bond0:type=bond;"
                              "bond0.5:type=vlan,parent=bond0,id=5,ipv4=static,ip=192.0.2.7/24", "bond0")
    assert not network_configured(Root.at(node_root), ctx.machine, "eth0:ipv4=none,ipv6=none", "eth0")
    assert not network_configured(Root.at(node_root), ctx.machine, "", "eth0")  # no host: no kernel addresses


@pytest.mark.parametrize(("size", "message"), [
    ("-5", "must be a whole number from 1 to 1000000000"),
    ("0", "must be a whole number from 1 to 1000000000"),
    ("1M", "must be a whole number from 1 to 1000000000"),
])
def test_bad_rotate_size_is_an_inline_error_and_nothing_is_written(page_ctx: PageContext, node_root: Path,
                                                                    size: str, message: str) -> None:
    before = snapshot(node_root)
    h = harness(page_ctx, apply=True)
    h.type("Max log size (KB)", size)
    assert h.error("Max log size (KB)") == message
    assert not h.save_enabled
    h.save()
    assert h.planned is None and snapshot(node_root) == before


def test_bad_remote_values_are_inline_errors(page_ctx: PageContext) -> None:
    h = harness(page_ctx)
    h.type("logging.rsyslog.server", "bad_host!")
    assert h.error("logging.rsyslog.server").startswith("must be ")
    h.type("logging.rsyslog.server", "log.example.com")
    h.type("logging.rsyslog.port", "70000")
    assert h.error("logging.rsyslog.port") == "must be a port number from 1 to 65535"
    h.type("logging.netconsole.server", "2001:db8::1")  # netconsole is IPv4 only
    assert h.error("logging.netconsole.server") != ""
    assert not h.save_enabled


def test_save_writes_files_that_the_daemons_accept(page_ctx: PageContext, node_root: Path) -> None:
    h = harness(page_ctx, apply=True)
    h.type("Max log size (KB)", "2048")
    h.choose("Rotate logs", "monthly")
    h.type("logging.rsyslog.server", "192.0.2.7")
    h.type("logging.rsyslog.port", "10514")
    h.choose("Protocol", "tcp")
    h.type("logging.netconsole.server", "192.0.2.9")
    h.save()
    assert h.ui.results == [True], h.ui.dialogs
    # Reloaded from the files after the save.
    assert [h.value(k) for k in ("Max log size (KB)", "Rotate logs", "logging.rsyslog.server",
                                 "logging.rsyslog.port", "Protocol", "logging.netconsole.server")] == [
        "2048", "monthly", "192.0.2.7", "10514", "tcp", "192.0.2.9"]
    # a Debian node: ovirt-node-netconsole.service reads the defaults file (no EL sysconfig file)
    assert 'OVIRT_NETCONSOLE_SERVER="192.0.2.9"' in (node_root / "etc/default/ovirt").read_text()
    assert not (node_root / "etc/sysconfig/netconsole").exists()

    rsyslogd = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if Path(rsyslogd).exists():
        conf = node_root / "etc/rsyslog.d/ovirt-node-remote.conf"
        check = subprocess.run([rsyslogd, "-N1", "-f", str(conf)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr

    if os.geteuid() == 0 and shutil.which("unshare") and Path("/usr/sbin/logrotate").exists():
        # logrotate stats the log directory: give it one in a private namespace.
        script = (
            "import os, subprocess, sys\n"
            "subprocess.run(['mount', '-t', 'tmpfs', 'tmpfs', '/var/log'], check=True)\n"
            "os.makedirs('/var/log/ovirt-node')\n"
            "sys.exit(subprocess.run(['/usr/sbin/logrotate', '-d', '-s', '/var/log/state', sys.argv[1]]).returncode)\n"
        )
        check = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable, "-c", script,
                                str(node_root / "etc/logrotate.d/ovirt-node")], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        assert "log files >= 2097152 are rotated earlier" in check.stdout + check.stderr
        assert "monthly (5 rotations)" in check.stdout + check.stderr
