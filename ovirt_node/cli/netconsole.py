"""`ovirt-node-netconsole`: kernel messages to the netconsole server (ovirt-node-netconsole.service).

    ovirt-node-netconsole start    the target from logging.netconsole.server/port (removed when empty)
    ovirt-node-netconsole stop     remove the target
    ovirt-node-netconsole status   print where kernel messages go

Debian has no netconsole service: this is ours, run by the unit after the network is online
and restarted by the config engine when the setting changes. What it did, or why it could
not, goes to stdout/stderr, so to the journal; a failure exits 1 and the unit fails.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from ovirt_node.cli.common import add_common_options, console_parser, root_from, setup_logging
from ovirt_node.core.root import Root
from ovirt_node.core.run import Runner
from ovirt_node.system import netconsole as nc

SERVER, PORT = "logging.netconsole.server", "logging.netconsole.port"


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-netconsole", __doc__.splitlines()[0])
    add_common_options(parser)
    parser.add_argument("--configfs", metavar="DIR", default=nc.CONFIGFS,
                        help=f"where configfs is mounted (default {nc.CONFIGFS})")
    parser.add_argument("command", choices=("start", "stop", "status"))
    return parser


def stored_setting(root: Root) -> tuple[str, int]:
    """The server and port as the engine reads them (/etc/default/ovirt, then the built-in port)."""
    from ovirt_node.areas.logs import Logging
    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine

    values = Engine(Context(root=root), [Logging()]).values(["logging"])
    return (values.get(SERVER) or "").strip(), int(values.get(PORT) or 6666)


def start(root: Root, configfs: Path, runner: Runner) -> str:
    server, port = stored_setting(root)
    if not server:
        removed = nc.remove_target(configfs)
        return "netconsole is off (no server set)" + ("; the target was removed" if removed else "")
    address, route, mac = nc.resolve(server, runner)
    nc.ensure_module(configfs, runner)
    target = nc.Target(route.dev, route.source, address, port, mac)
    nc.write_target(configfs, target)
    return nc.describe(target, route)


def status(configfs: Path) -> str:
    folder = nc.target_dir(configfs)
    if not folder.is_dir():
        return "netconsole is off"

    def attribute(name: str) -> str:
        path = folder / name
        return path.read_text().strip() if path.exists() else "?"

    state = "enabled" if attribute("enabled") == "1" else "disabled"
    return (f"netconsole target {folder.name} ({state}): {attribute('remote_ip')}:{attribute('remote_port')} "
            f"from {attribute('local_ip')} on {attribute('dev_name')} ({attribute('remote_mac')})")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.debug)
    root = root_from(args)
    configfs = Path(args.configfs)
    try:
        if args.command == "start":
            print(f"ovirt-node-netconsole: {start(root, configfs, Runner())}")
        elif args.command == "stop":
            removed = nc.remove_target(configfs)
            print("ovirt-node-netconsole: " + ("target removed" if removed else "no target to remove"))
        else:
            print(f"ovirt-node-netconsole: {status(configfs)}")
    except nc.NetconsoleError as exc:
        print(f"ovirt-node-netconsole: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
