"""The systemd journal as a logging handler, when python-systemd is installed (python3-systemd
on the node) and journald listens; None otherwise, so callers fall back silently.

A handler that cannot send (journald stopped meanwhile) drops the record instead of printing
logging's traceback on the terminal a TUI draws on or a script's stderr.
"""

from __future__ import annotations

import logging
from pathlib import Path

#: journald's native socket: no journal without it (a build host, a container).
SOCKET = Path("/run/systemd/journal/socket")


def handler(identifier: str, socket: Path = SOCKET) -> logging.Handler | None:
    """A JournalHandler whose records carry SYSLOG_IDENTIFIER=`identifier`, or None."""
    if not socket.exists():
        return None
    try:
        from systemd import journal  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    made: logging.Handler = journal.JournalHandler(SYSLOG_IDENTIFIER=identifier)
    made.handleError = lambda record: None  # type: ignore[method-assign]
    return made
