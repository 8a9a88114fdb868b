"""The Debian packages a plugin's daemon needs, as the plugin declares them in its metadata:
one entry point per package in the group `ovirt_node.debian`, named after the Debian package,
its value the plugin's module (docs/plugins.md):

    [project.entry-points."ovirt_node.debian"]
    snmpd = "ovirt_node_snmp"

The list is read from a wheel file without installing or importing it (the image build needs
it before mmdebstrap runs: `entry_points.txt` in the wheel's .dist-info is plain INI), and from
the installed distributions at run time, so a page can say what the node lacks (checked
against the dpkg database of the node's root).
"""

from __future__ import annotations

import logging
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ovirt_node.core.entrypoints import entry_points, parse_entry_points
from ovirt_node.core.root import Root

log = logging.getLogger(__name__)

GROUP = "ovirt_node.debian"
#: Debian Policy 5.6.1: lower case letters, digits, + - and ., at least two characters,
#: starting with a letter or digit.
_DEBIAN_NAME = re.compile(r"[a-z0-9][a-z0-9+.-]+\Z")
DPKG_STATUS = "/var/lib/dpkg/status"


class PackageError(ValueError):
    """A plugin's declaration cannot be used; the message names the wheel and the problem."""


def valid_name(name: str) -> bool:
    return bool(_DEBIAN_NAME.match(name))


def _checked(names: Iterable[str], where: str) -> tuple[str, ...]:
    names = list(names)
    bad = [n for n in names if not valid_name(n)]
    if bad:
        raise PackageError(f"{where}: {', '.join(repr(n) for n in bad)} in [{GROUP}] is not a Debian package "
                           "name (lower-case letters, digits, '+', '-' and '.', at least two characters, "
                           "starting with a letter or a digit)")
    return tuple(sorted(set(names)))


def wheel_packages(wheel: Path) -> tuple[str, ...]:
    """The Debian packages the plugin wheel at `wheel` declares (sorted; none: empty)."""
    where = str(wheel)
    if not wheel.is_file() or wheel.suffix != ".whl":
        raise PackageError(f"{where}: not a wheel file (.whl)")
    try:
        with zipfile.ZipFile(wheel) as archive:
            infos = [n for n in archive.namelist() if n.count("/") == 1 and n.split("/")[0].endswith(".dist-info")]
            if not infos:
                raise PackageError(f"{where}: not a wheel (no .dist-info folder in it)")
            text = next((archive.read(n).decode("utf-8") for n in infos if n.endswith("/entry_points.txt")), "")
    except (zipfile.BadZipFile, OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"{where}: cannot read the wheel: {exc}") from exc
    return _checked((name for group, name, _value in parse_entry_points(text) if group == GROUP), where)


def declared_packages(module: str) -> tuple[str, ...]:
    """The Debian packages the installed distributions declare for the plugin `module` (its
    top-level package name, e.g. `ovirt_node_snmp`); a bad name is logged and left out."""
    names = []
    for ep in entry_points(GROUP):
        if ep.value.split(":", 1)[0].strip().split(".", 1)[0] != module:
            continue
        if valid_name(ep.name):
            names.append(ep.name)
        else:
            log.warning("%s: %r in [%s] is not a Debian package name; ignored", ep.dist.path, ep.name, GROUP)
    return tuple(sorted(set(names)))


def installed_packages(root: Root) -> set[str]:
    """The packages dpkg has installed in `root` (its status file; none when it has none)."""
    try:
        text = root(DPKG_STATUS).read_text(errors="replace")
    except OSError:
        return set()
    found = set()
    for stanza in text.split("\n\n"):
        fields = dict(line.split(":", 1) for line in stanza.splitlines() if ":" in line and not line[:1].isspace())
        name, status = fields.get("Package", "").strip(), fields.get("Status", "").split()
        if name and status[-1:] == ["installed"]:
            found.add(name)
    return found


def missing_packages(root: Root, packages: Iterable[str]) -> list[str]:
    """Those of `packages` not installed in `root`, in the order given."""
    have = installed_packages(root)
    return [p for p in packages if p not in have]
