"""Whether the node can reach a URL's host yet: its name resolves and the kernel has a route
to an address of it. A boot's lifecycle event needs that, not just network-online.target,
which only means NetworkManager finished starting (its wait gives up after a timeout, a slow
DHCP lease included): a POST before the route is there fails at once with "Network is
unreachable".

The route is asked of the kernel by connecting a UDP socket, which looks the route up and
sends nothing; no program is run and nothing is written.
"""

from __future__ import annotations

import logging
import socket
import time
import urllib.parse

log = logging.getLogger(__name__)

#: Seconds between two looks while there is no route yet.
POLL = 2.0


def route_problem(url: str) -> str:
    """Why the URL's host cannot be reached now ("" when an address of it has a route)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
    except (OSError, ValueError) as exc:  # gaierror is an OSError: the name does not resolve (yet)
        return f"{host}: {getattr(exc, 'strerror', None) or exc}"
    problem = f"{host}: no address"
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            try:
                probe.connect(address)
                return ""
            except OSError as exc:
                problem = f"{address[0]}: {exc.strerror or exc}"
    return problem


def wait_for_route(url: str, seconds: float) -> str:
    """Wait up to `seconds` for `route_problem` to clear; "" once it has, else the last problem."""
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    problem = route_problem(url)
    while problem and time.monotonic() < deadline:
        time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
        problem = route_problem(url)
    waited = time.monotonic() - started
    if problem:
        log.warning("lifecycle report: no route after %.0f s (%s)", waited, problem)
    elif waited >= POLL:
        log.info("lifecycle report: waited %.0f s for a route to the server", waited)
    return problem
