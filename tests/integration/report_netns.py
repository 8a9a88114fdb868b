"""Run as `unshare --net -- python report_netns.py`: in a network namespace of its own, whose
loopback is down until this script brings it up, the boot's event waits for a route to its
server and is delivered once there is one. Prints what it saw as one JSON object."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

from ovirt_node.core.cmdline import parse
from ovirt_node.core.root import Root
from ovirt_node.report import lifecycle
from ovirt_node.report.route import route_problem
from tests.report_listener import report_listener

#: Seconds until the loopback comes up (the node's DHCP lease, as it were).
LINK_DELAY = 3.0


def main() -> None:
    logging.basicConfig(level=logging.INFO)  # the wait's lines, on stderr
    root = Root.at(Path(sys.argv[1]))
    seen: dict[str, object] = {}
    with report_listener() as listener:  # bound to 127.0.0.1 while the loopback is down
        url = listener.url()
        seen["down"] = route_problem(url)
        seen["no_name"] = route_problem("http://reports.invalid/events")
        args = parse(f"report_url={url}")
        seen["no_wait"] = lifecycle.send_event(root, "boot", "succeeded", "lo down", kernel_args=args)
        timer = threading.Timer(LINK_DELAY, subprocess.run, (["ip", "link", "set", "lo", "up"],),
                                {"check": True})
        timer.start()
        started = time.monotonic()
        seen["waited"] = lifecycle.send_event(root, "firstboot", "succeeded", "lo comes up", kernel_args=args,
                                                  route_wait=30)
        seen["seconds"] = time.monotonic() - started
        timer.join()
        seen["up"] = route_problem(url)
        seen["events"] = [(e["phase"], e["result"]) for e in listener.events]
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
