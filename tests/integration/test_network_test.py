"""The management network test against a real little network: two network namespaces joined
by a veth pair, the "node" (192.0.2.10/24, default route via .1) and the "gateway" (192.0.2.1),
which runs a real DNS server (dnsmasq) and a real NTP server (chronyd); the node runs its own
chronyd. The checks run inside the node's namespace with its own resolv.conf (a private mount
namespace), so what they see is what they would see on a node wired like that.

Then the same network broken the ways operators break it: a DNS server that does not exist,
a name the DNS server does not know, the gateway gone, no default route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ovirt_node.cli.config import main
from ovirt_node.network.nettest import Targets
from tests.node_fixtures import REPO

NODE, GATEWAY = "192.0.2.10", "192.0.2.1"
HOSTNAME, NTP_NAME = "node1.example.com", "ntp.example.com"


@dataclass
class Wire:
    node_ns: str
    gw_ns: str
    workdir: Path

    def ip(self, ns: str, *args: str) -> None:
        subprocess.run(["ip", "-n", ns, *args], check=True)

    def private_run(self, *argv: str, resolv: Path | None = None) -> list[str]:
        """`argv` in a private mount namespace with the node's /run/chrony (and resolv.conf)."""
        chrony_run = self.workdir / "node-chrony-run"
        chrony_run.mkdir(mode=0o700, exist_ok=True)
        script = f"mkdir -p /run/chrony && mount --bind {chrony_run} /run/chrony && "
        if resolv:
            script += f"mount --bind {resolv} /etc/resolv.conf && "
        return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script + 'exec "$@"', "sh", *argv]

    def checks(self, targets: Targets, resolv: str) -> dict[str, tuple[str, str]]:
        """The network test run on the node: {what: (status, detail)}."""
        (self.workdir / "resolv.conf").write_text(resolv)
        program = ("import json, sys\n"
                   "from pathlib import Path\nfrom ovirt_node.core.root import Root\n"
                   "from ovirt_node.core.run import Runner\n"
                   "from ovirt_node.network.nettest import Targets, run_network_test\n"
                   "t = json.loads(sys.argv[1])\n"
                   "targets = Targets(t['hostname'], tuple(t['ntp']), tuple(map(tuple, t['remote'])))\n"
                   "live = lambda c: print('LIVE ' + c.line(), file=sys.stderr, flush=True)\n"
                   "print(run_network_test(Root(Path('/')), Runner(), targets, on_check=live).json())\n")
        argv = ["ip", "netns", "exec", self.node_ns,
                *self.private_run(sys.executable, "-c", program, json.dumps(
                    {"hostname": targets.hostname, "ntp": targets.ntp, "remote": targets.remote}),
                    resolv=self.workdir / "resolv.conf")]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        checks = json.loads(done.stdout)["checks"]
        # Each check was told as it completed, in order (the network countdown shows them so).
        live = [line[5:] for line in done.stderr.splitlines() if line.startswith("LIVE ")]
        assert live == [f"{c['status'].upper():4}  {c['what']}: {c['detail']}" for c in checks]
        return {c["what"]: (c["status"], c["detail"]) for c in checks}


def daemon(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)


@pytest.fixture(scope="module")
def wire(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wire]:
    workdir = tmp_path_factory.mktemp("wire")
    tag = uuid.uuid4().hex[:6]
    w = Wire(f"ont-node-{tag}", f"ont-gw-{tag}", workdir)
    procs: list[subprocess.Popen[bytes]] = []
    subprocess.run(["ip", "netns", "add", w.node_ns], check=True)
    subprocess.run(["ip", "netns", "add", w.gw_ns], check=True)
    try:
        subprocess.run(["ip", "link", "add", "v0", "netns", w.node_ns, "type", "veth", "peer", "name", "v1",
                        "netns", w.gw_ns], check=True)
        w.ip(w.node_ns, "addr", "add", f"{NODE}/24", "dev", "v0")
        w.ip(w.gw_ns, "addr", "add", f"{GATEWAY}/24", "dev", "v1")
        for ns, dev in ((w.node_ns, "v0"), (w.gw_ns, "v1"), (w.node_ns, "lo"), (w.gw_ns, "lo")):
            w.ip(ns, "link", "set", dev, "up")
        w.ip(w.node_ns, "route", "add", "default", "via", GATEWAY)
        gw = ["ip", "netns", "exec", w.gw_ns]
        procs.append(daemon([*gw, "dnsmasq", "--keep-in-foreground", "--no-resolv", "--no-hosts", "--bind-interfaces",
                             f"--listen-address={GATEWAY}", f"--address=/{HOSTNAME}/{NODE}",
                             f"--address=/{NTP_NAME}/{GATEWAY}", "--local=/example.com/", "--local=/example.org/",
                             f"--pid-file={workdir / 'dnsmasq.pid'}",
                             "--user=root"], workdir / "dnsmasq.log"))
        (workdir / "gw-chrony.conf").write_text(
            f"local stratum 8\nallow all\ncmdport 0\nbindcmdaddress /\npidfile {workdir / 'gw-chrony.pid'}\n")
        procs.append(daemon([*gw, "chronyd", "-x", "-d", "-f", str(workdir / "gw-chrony.conf")],
                            workdir / "gw-chrony.log"))
        chrony_run = workdir / "node-chrony-run"
        chrony_run.mkdir(mode=0o700)
        # The node's chronyd and the checks' chronyc share /run/chrony (a folder of this test,
        # bound in each one's private mount namespace): chronyd answers chronyc by socket path.
        (workdir / "node-chrony.conf").write_text(
            f"server {GATEWAY} iburst minpoll 0 maxpoll 1\ncmdport 0\npidfile {workdir / 'node-chrony.pid'}\n")
        procs.append(daemon(["ip", "netns", "exec", w.node_ns, *w.private_run("chronyd", "-x", "-d", "-u", "root",
                                                                             "-f", str(workdir / "node-chrony.conf"))],
                            workdir / "node-chrony.log"))
        yield w
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        subprocess.run(["ip", "netns", "del", w.node_ns], check=False)
        subprocess.run(["ip", "netns", "del", w.gw_ns], check=False)


HEALTHY = Targets(HOSTNAME, ntp=(NTP_NAME,), remote=(("remote syslog", GATEWAY),))


def until(wire: Wire, what: str, status: str, targets: Targets = HEALTHY,
          resolv: str = f"nameserver {GATEWAY}\n") -> dict[str, tuple[str, str]]:
    """The checks, repeated until `what` has `status` (daemons take a moment to start)."""
    deadline = time.monotonic() + 30
    while True:
        found = wire.checks(targets, resolv)
        if found.get(what, ("", ""))[0] == status or time.monotonic() > deadline:
            return found
        time.sleep(1)


def test_a_healthy_network_passes_every_check(wire: Wire) -> None:
    found = until(wire, f"NTP {NTP_NAME}", "pass")
    assert found["route"] == ("pass", f"default via {GATEWAY} dev v0")
    assert found["link"] == ("pass", "v0 is up")
    assert found["address"] == ("pass", f"v0 has {NODE}/24")
    assert found["gateway"][0] == "pass" and found["gateway"][1].startswith(f"{GATEWAY} answers ping (")
    assert found[f"DNS {GATEWAY}"] == ("pass", f"{HOSTNAME} -> {NODE}; {NTP_NAME} -> {GATEWAY}")
    assert found[f"NTP {NTP_NAME}"][0] == "pass"
    assert found["remote syslog"][0] == "pass"
    assert {status for status, _ in found.values()} == {"pass"}


def test_a_dns_server_that_is_not_there_fails_with_the_reason(wire: Wire) -> None:
    found = wire.checks(HEALTHY, f"nameserver {GATEWAY}\nnameserver 192.0.2.99\n")
    assert found[f"DNS {GATEWAY}"][0] == "pass"
    status, detail = found["DNS 192.0.2.99"]
    assert status == "fail" and detail.startswith("does not answer (") and "check the address" in detail


def test_a_name_the_dns_server_does_not_know(wire: Wire) -> None:
    stranger = Targets("stranger.example.com", ntp=("time.example.org",))
    found = wire.checks(stranger, f"nameserver {GATEWAY}\n")
    assert found[f"DNS {GATEWAY}"] == ("fail", "cannot resolve time.example.org, the NTP server (NXDOMAIN)")
    found = wire.checks(Targets("stranger.example.com"), f"nameserver {GATEWAY}\n")
    status, detail = found[f"DNS {GATEWAY}"]
    assert status == "warn" and "does not know this node's name stranger.example.com (NXDOMAIN)" in detail


def test_an_ntp_server_chrony_does_not_use_and_a_silent_remote_host(wire: Wire) -> None:
    found = wire.checks(Targets(HOSTNAME, ntp=("192.0.2.77",), remote=(("collectd", "192.0.2.88"),)),
                        f"nameserver {GATEWAY}\n")
    assert found["NTP 192.0.2.77"][0] == "fail" and "not among chrony's sources" in found["NTP 192.0.2.77"][1]
    assert found["collectd"][0] == "warn" and found["collectd"][1].startswith("192.0.2.88 does not answer ping")


def test_no_gateway_and_no_route(wire: Wire) -> None:
    wire.ip(wire.gw_ns, "link", "set", "v1", "down")
    try:
        found = wire.checks(HEALTHY, f"nameserver {GATEWAY}\n")
        assert found["gateway"][0] == "fail" and "does not answer ping" in found["gateway"][1]
        assert found["link"][0] == "fail"  # the veth's far end is down: no carrier
    finally:
        wire.ip(wire.gw_ns, "link", "set", "v1", "up")
    wire.ip(wire.node_ns, "route", "del", "default")
    try:
        found = wire.checks(HEALTHY, f"nameserver {GATEWAY}\n")
        assert found["route"][0] == "fail" and found["route"][1].startswith("no default route")
    finally:
        wire.ip(wire.node_ns, "route", "add", "default", "via", GATEWAY)


def test_the_command_takes_its_targets_from_the_settings_and_refuses_another_root(
        node_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ovirt_node.areas.registry import all_sections
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine
    from ovirt_node.core.root import Root
    from ovirt_node.network.nettest import TARGET_SECTIONS, targets_from

    assert main(["--root", str(node_root), "set", "logging.rsyslog.server=logs.example.com",
                 "monitoring.collectd.server=192.0.2.40"]) == 0
    found = targets_from(Engine(Context(root=Root(node_root)), all_sections()).values(TARGET_SECTIONS))
    assert found == Targets("demo-node.example.com", ntp=("2.debian.pool.ntp.org",),
                            remote=(("remote syslog", "logs.example.com"), ("collectd", "192.0.2.40")))
    capsys.readouterr()
    assert main(["--root", str(node_root), "test-network"]) == 2
    assert "test-network checks the running node's network" in capsys.readouterr().err
    assert os.geteuid() == 0  # the namespaces above need root, as `make test` runs
