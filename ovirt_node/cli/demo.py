"""`make demo`: the setup TUI on the built-in demo node (see `ovirt_node.demo.node`).

The TUI runs as a child on this terminal, with its root in a temp copy of ovirt_node/data/demo-root and
its runtime effects on a private D-Bus with mock systemd/logind; nothing on the host changes.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

from ovirt_node.cli.common import console_parser
from ovirt_node.demo.node import demo_node

log = logging.getLogger(__name__)


def _wait_through(_signum: int, _frame: object) -> None:
    """Ctrl-C reaches the whole foreground group: the TUI decides what it means (nothing while
    locked); this parent keeps waiting for it. A handler, not SIG_IGN, which the child would
    inherit across exec."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = console_parser("ovirt-node-demo", __doc__.splitlines()[0])
    parser.add_argument("--basic", action="store_true", help="ASCII-only mode, as on a serial console")
    parser.add_argument("--keep", action="store_true", help="keep the demo root afterwards")
    args = parser.parse_args(argv)
    try:
        with demo_node(keep_root=args.keep) as node:
            argv_setup = [sys.executable, "-m", "ovirt_node.cli.setup", "--root", str(node.root),
                          "--machine", "demo", "--bus", node.bus, "--demo"]
            if args.basic:
                argv_setup.append("--basic")
            log.info("run: %s", " ".join(argv_setup))
            previous = signal.signal(signal.SIGINT, _wait_through)
            try:
                # The TUI needs this terminal, so it is not captured like other commands.
                code = subprocess.run(argv_setup, env=dict(os.environ), check=False).returncode
            finally:
                signal.signal(signal.SIGINT, previous)
            if args.keep:
                print(f"The demo root is kept at {node.root}")
    except KeyboardInterrupt:  # while the demo node starts or stops: it is cleaned up all the same
        print("ovirt-node-demo: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    return code


if __name__ == "__main__":
    sys.exit(main())
