"""`ovirt-node-config test-network [--json]`: the management network test on the running node
(ovirt_node/network/nettest.py), its targets taken from the node's settings. Exit 0 when no
check failed (warnings allowed), 3 when one did, 2 when asked about another root."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovirt_node.core.engine import Engine

def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "test-network", help="test the management network: link, address, gateway, DNS, NTP, remote hosts",
        description="Check the running node's management network and print one line per check (PASS, WARN or "
        "FAIL, with the reason): the link (each bond member and its LACP partner), the address and default route, "
        "the gateway answering ping (and full-size packets when the MTU is over 1500), each DNS server resolving "
        "this node's name and a name the node needs, each NTP server answering chrony, and the remote syslog, "
        "netconsole and collectd hosts answering ping. Changes nothing. Exit 0: no check failed; 3: one did.")
    parser.add_argument("--json", action="store_true", help='print {"ok": bool, "checks": [{what, status, detail}]}')


def cmd_test_network(engine: Engine, args: argparse.Namespace) -> int:
    if not engine.ctx.root.is_host:
        raise ValueError(f"test-network checks the running node's network; it cannot test the tree under "
                         f"{engine.ctx.root} (leave out --root)")
    from ovirt_node.core.run import Runner
    from ovirt_node.network.nettest import TARGET_SECTIONS, run_network_test, targets_from

    report = run_network_test(engine.ctx.root, Runner(), targets_from(engine.values(TARGET_SECTIONS)))
    print(report.json() if args.json else report.text())
    return 0 if report.ok else 3
