"""The sections the engine knows: the built-in areas, plus those plugins contribute.

Plugins add sections through the `ovirt_node.plugins` entry point group by exposing a
`sections()` callable on the object the entry point names. Only that callable is asked for
here: the engine never imports the UI, and this distribution's own entry points (the built-in
pages) are not loaded at all, since its sections are the built-in ones. The setup TUI's loader
(`ovirt_node.ui.plugins`) asks the same entry points for pages too.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ovirt_node.areas.iscsi import Iscsi
from ovirt_node.areas.kdump import Kdump
from ovirt_node.areas.keyboard import Keyboard
from ovirt_node.areas.logs import Logging
from ovirt_node.areas.monitoring import Monitoring
from ovirt_node.areas.nfsv4 import Nfsv4
from ovirt_node.areas.performance import Performance
from ovirt_node.areas.security import Security
from ovirt_node.areas.ssh import Ssh
from ovirt_node.core.entrypoints import GROUP, entry_points
from ovirt_node.core.model import Section
from ovirt_node.network.section import NetworkSection

log = logging.getLogger(__name__)

#: This distribution: its entry points are the built-in pages.
OWN_DISTRIBUTION = "ovirt-node"


def builtin_sections() -> list[Section]:
    return [Ssh(), Security(), Logging(), Keyboard(), Kdump(), Iscsi(), Nfsv4(), Monitoring(), Performance(),
            NetworkSection()]


def all_sections(plugin_sections: Sequence[Section] | None = None) -> list[Section]:
    """Built-in sections first, then the plugins' (discovered here unless the caller already
    has them); a name already taken is skipped and logged."""
    if plugin_sections is None:
        plugin_sections = plugin_sections_only()
    seen: set[str] = set()
    unique = []
    for section in [*builtin_sections(), *plugin_sections]:
        if section.name in seen:
            log.error("config section %r is defined twice; keeping the first", section.name)
            continue
        seen.add(section.name)
        unique.append(section)
    return unique


def plugin_sections_only() -> list[Section]:
    """The sections the add-on plugins contribute; a plugin that fails is logged and skipped
    (the Plugins page lists it with the reason)."""
    found: list[Section] = []
    for ep in sorted(entry_points(GROUP), key=lambda e: e.name):
        if ep.dist.header("Name") == OWN_DISTRIBUTION:
            continue
        try:
            sections = getattr(ep.load(), "sections", None)
            found.extend(sections() if callable(sections) else ())
        except Exception as exc:  # a broken plugin must not take the engine down
            log.error("plugin %s (%s) skipped: %s: %s", ep.name, ep.value, type(exc).__name__, exc)
    return found

