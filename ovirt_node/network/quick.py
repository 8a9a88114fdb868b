"""The network values the Status page shows (the management interface's IPv4 method, the
connections, the DNS servers), read from the files as plain text, without Augeas.

The engine's read of the network section builds five lenses (keyfiles, DNS drop-in, hosts,
host name, chrony) and imports the section's validators: most of the setup TUI's first
screen's memory over a bare urwid app. These are its rules for the three keys (the files
first, then /etc/default/ovirt, then the built-in default), on the same files, through
core/plaintext.py's readers: anything those do not take makes `values` answer None and the
Status page asks the engine. tests/integration/test_status_quick.py holds the two equal.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from ovirt_node.core import plaintext
from ovirt_node.core.root import Root
from ovirt_node.network.keyfile import KEYFILE_DIR, iface_of, keyfile_stem, keyfiles_of
from ovirt_node.network.model import format_spec, stack_of

#: NetworkManager's global DNS, where the network section writes the servers.
DNS_CONF_PATH = "/etc/NetworkManager/conf.d/90-ovirt-node-dns.conf"
DNS_SECTION = "global-dns-domain-*"
RESOLV_CONF = "/etc/resolv.conf"
#: Key -> its OVIRT_* name and built-in default, as the section's Key has them
#: (tests/integration/test_status_quick.py holds them to the registry).
KEYS: dict[str, tuple[str, str]] = {
    "network.interfaces": ("OVIRT_NETWORK_INTERFACES", ""),
    "network.bootproto": ("OVIRT_BOOTPROTO", "none"),
    "network.dns": ("OVIRT_DNS", ""),
}
#: Keyfile names Augeas's glob loads and names plainly in its tree (no dot first, no quoting).
_KEYFILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\.nmconnection")


def values(root: Root) -> dict[str, str] | None:
    """The three keys' values on the node under `root`, or None when these readers cannot be
    sure (the engine's path answers then)."""
    return plaintext.sure(_values, root)


def bootif(root: Root) -> str | None:
    """OVIRT_BOOTIF as PageContext.node_setting reads it ("" when unset), or None when the
    settings file is not plain."""
    return plaintext.sure(lambda r: plaintext.stored(plaintext.defaults(r), "OVIRT_BOOTIF") or "", root)


def _values(root: Root) -> dict[str, str]:
    settings = plaintext.defaults(root)
    system: dict[str, str] = {}
    if root(KEYFILE_DIR).is_dir():
        files = _keyfiles(root)
        found = keyfiles_of(files)
        if sum(1 for path, get in files if iface_of(get, keyfile_stem(path)) is not None) != len(found.paths):
            raise plaintext.Unsure("two keyfiles for one interface")  # which one wins is Augeas's order
        system["network.interfaces"] = format_spec(found.network)
        bootif = plaintext.stored(settings, "OVIRT_BOOTIF") or ""
        system["network.bootproto"] = stack_of(found.network, bootif).bootproto
    dns = _dns(root)
    if dns is not None:
        system["network.dns"] = dns
    return plaintext.settle(KEYS, system, settings)


def _keyfiles(root: Root) -> list[tuple[str, Callable[[str], str | None]]]:
    """(path, get) of every keyfile Augeas would load, in name order."""
    folder = plaintext.plain_path(root, KEYFILE_DIR)
    files: list[tuple[str, Callable[[str], str | None]]] = []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".nmconnection"):
            continue
        if not _KEYFILE_NAME.fullmatch(name):
            raise plaintext.Unsure(name)
        path = f"{KEYFILE_DIR}/{name}"
        text = plaintext.read(root, path)
        if text is None:
            raise plaintext.Unsure(path)  # gone while listed (or a dangling link)
        sections = plaintext.keyfile(text)

        def get(rel: str, sections: dict[str, dict[str, str | None]] = sections) -> str | None:
            section, _, key = rel.partition("/")
            return sections.get(section, {}).get(key)

        files.append((path, get))
    return files


def _dns(root: Root) -> str | None:
    """The DNS servers the network section reads: its NetworkManager drop-in when there is
    one, else resolv.conf (followed as the node follows it); None when neither says."""
    text = plaintext.read(root, DNS_CONF_PATH)
    if text is not None:
        servers = plaintext.keyfile(text).get(DNS_SECTION, {}).get("servers") or ""
        return servers.strip(",;").replace(";", ",")
    return resolv_conf(root).get("network.dns")


def resolv_conf(root: Root) -> dict[str, str | None]:
    """resolv.conf's servers and search domains as the network section's keys ({} when it
    cannot be read). Often a link (to /run/...): followed as the node would, inside the root."""
    try:
        lines = root.resolve(RESOLV_CONF).read_text().splitlines()
    except OSError:
        return {}
    words = [line.split() for line in lines if line.strip() and not line.lstrip().startswith(("#", ";"))]
    return {"network.dns": ",".join(w[1] for w in words if w[0] == "nameserver" and len(w) > 1),
            "network.dns.search": ",".join(d for w in words if w[0] == "search" for d in w[1:])}
