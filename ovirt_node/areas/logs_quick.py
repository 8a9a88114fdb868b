"""Where the node's logs go, as the Status page shows it (remote syslog, netconsole), read
from the files as plain text, without Augeas.

The logging section's rules for these five keys (areas/logs.py's read(), then the engine's:
/etc/default/ovirt, then the built-in default), on the same files, through core/plaintext.py
and the rsyslog lines below: the drop-in holds what write_rsyslog writes (comments, legacy
`$Directive value` lines, `selector action` lines). Anything else makes `values` answer None
and the Status page asks the engine. tests/integration/test_status_quick.py holds the two equal.
"""

from __future__ import annotations

import ipaddress
import re

from ovirt_node.core import plaintext
from ovirt_node.core.platform import detect
from ovirt_node.core.root import Root

RSYSLOG_REMOTE_PATH = "/etc/rsyslog.d/ovirt-node-remote.conf"
NETCONSOLE_PATH = "/etc/sysconfig/netconsole"
#: Key -> its OVIRT_* name and built-in default, as the section's Key has them.
KEYS: dict[str, tuple[str, str]] = {
    "logging.rsyslog.server": ("OVIRT_SYSLOG_SERVER", ""),
    "logging.rsyslog.port": ("OVIRT_SYSLOG_PORT", "514"),
    "logging.rsyslog.protocol": ("OVIRT_SYSLOG_PROTOCOL", "udp"),
    "logging.netconsole.server": ("OVIRT_NETCONSOLE_SERVER", ""),
    "logging.netconsole.port": ("OVIRT_NETCONSOLE_PORT", "6666"),
}

# The Rsyslog lens's shapes, narrowed to plain ones: a selector list, blanks, then an action.
# Kept as text, compiled by `re` at their first use: most nodes have no drop-in to read.
_TOKEN = r"(?:[A-Za-z0-9]+|\*)"
_SELECTOR = rf"{_TOKEN}(?:,{_TOKEN})*\.(?:!|[<=>]+|![<=>]+)?{_TOKEN}"
_ENTRY = rf"({_SELECTOR}(?:;{_SELECTOR})*)[ \t]+(\S+)[ \t]*"
_LABEL = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_FORWARD = rf"(@@?)({_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:]+\])(?::([0-9]+))?"
_FILE = r"-?/[^ \t\n;]+|~"
_DIRECTIVE = r"\$[A-Za-z0-9]+[ \t]+[^,# \t\n](?:[^#\n]*[^,# \t\n])?"
_BLANK_OR_COMMENT = r"[ \t]*(#.*)?"


def values(root: Root) -> dict[str, str] | None:
    """The five keys' values on the node under `root`, or None when these readers cannot be
    sure (the engine's path answers then)."""
    return plaintext.sure(_values, root)


def forwards(text: str) -> list[tuple[str, str, str | None]]:
    """(protocol `@`/`@@`, host as written, port or None) of each forwarding line, in order."""
    found: list[tuple[str, str, str | None]] = []
    for line in text.splitlines():
        if re.fullmatch(_BLANK_OR_COMMENT, line) or re.fullmatch(_DIRECTIVE, line):
            continue
        entry = re.fullmatch(_ENTRY, line)
        if entry is None:
            raise plaintext.Unsure(line)
        action = entry.group(2)
        forward = re.fullmatch(_FORWARD, action)
        if forward is not None:
            host = forward.group(2)
            # The lens's IPv6 pattern takes the compressed forms (lens_address writes them), not ::.
            if host.startswith("[") and (host == "[::]" or ipaddress.IPv6Address(host[1:-1]).compressed != host[1:-1]):
                raise plaintext.Unsure(line)
            found.append((forward.group(1), host, forward.group(3)))
        elif not re.fullmatch(_FILE, action):
            raise plaintext.Unsure(line)
    return found


def _values(root: Root) -> dict[str, str]:
    settings = plaintext.defaults(root)
    system: dict[str, str | None] = {}
    text = plaintext.read(root, RSYSLOG_REMOTE_PATH)
    if text is not None:
        found = forwards(text)
        system["logging.rsyslog.server"] = found[0][1].strip("[]") if found else ""
        if found:
            system["logging.rsyslog.port"] = found[0][2] or "514"
            system["logging.rsyslog.protocol"] = "tcp" if found[0][0] == "@@" else "udp"
    if detect(root).path("netconsole") == NETCONSOLE_PATH:  # EL's netconsole.service reads its own file
        text = plaintext.read(root, NETCONSOLE_PATH)
        if text is not None:
            variables = plaintext.shell_vars(text)
            system["logging.netconsole.server"] = (variables.get("SYSLOGADDR") or "").strip("\"'")
            system["logging.netconsole.port"] = (variables.get("SYSLOGPORT") or "").strip("\"'") or None
    return plaintext.settle(KEYS, system, settings)
