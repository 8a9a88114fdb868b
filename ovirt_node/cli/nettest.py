"""`ovirt-node-config test-network [--json]`: the management network test on the running node
(ovirt_node/network/nettest.py), its targets taken from the node's settings. Exit 0 when no
check failed (warnings allowed), 3 when one did, 2 when asked about another root."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovirt_node.core.engine import Engine
    from ovirt_node.network.nettest import Targets

REMOTE_KEYS = (("remote syslog", "logging.rsyslog.server"), ("netconsole", "logging.netconsole.server"),
               ("collectd", "monitoring.collectd.server"))


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "test-network", help="test the management network: link, address, gateway, DNS, NTP, remote hosts",
        description="Check the running node's management network and print one line per check (PASS, WARN or "
        "FAIL, with the reason): the link (each bond member and its LACP partner), the address and default route, "
        "the gateway answering ping (and full-size packets when the MTU is over 1500), each DNS server resolving "
        "this node's name and a name the node needs, each NTP server answering chrony, and the remote syslog, "
        "netconsole and collectd hosts answering ping. Changes nothing. Exit 0: no check failed; 3: one did.")
    parser.add_argument("--json", action="store_true", help='print {"ok": bool, "checks": [{what, status, detail}]}')


def targets(engine: Engine) -> Targets:
    import socket

    from ovirt_node.network.nettest import Targets

    values = engine.values(["network", "logging", "monitoring"])
    remote = tuple((role, values[key]) for role, key in REMOTE_KEYS if values.get(key))
    ntp = tuple(s.strip() for s in values.get("network.ntp", "").split(",") if s.strip())
    return Targets(hostname=values.get("network.hostname") or socket.gethostname(), ntp=ntp, remote=remote)


def cmd_test_network(engine: Engine, args: argparse.Namespace) -> int:
    if not engine.ctx.root.is_host:
        raise ValueError(f"test-network checks the running node's network; it cannot test the tree under "
                         f"{engine.ctx.root} (leave out --root)")
    from ovirt_node.core.run import Runner
    from ovirt_node.network.nettest import run_network_test

    report = run_network_test(engine.ctx.root, Runner(), targets(engine))
    print(report.json() if args.json else report.text())
    return 0 if report.ok else 3
