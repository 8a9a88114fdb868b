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
from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovirt_node.core.model import Section

log = logging.getLogger(__name__)

#: This distribution: its entry points are the built-in pages.
OWN_DISTRIBUTION = "ovirt-node"

#: The built-in sections by name (a key's section is its first dotted part: `ssh.port` ->
#: `ssh`), in the order the engine lists them: `module:Class`, imported when first asked for,
#: so that `ovirt-node-config get ssh.port` imports the SSH area alone, not all ten (nor the
#: plugins). tests/unit/test_registry.py proves each entry builds the section of that name.
BUILTIN: dict[str, str] = {
    "ssh": "ovirt_node.areas.ssh:Ssh",
    "security": "ovirt_node.areas.security:Security",
    "logging": "ovirt_node.areas.logs:Logging",
    "keyboard": "ovirt_node.areas.keyboard:Keyboard",
    "kdump": "ovirt_node.areas.kdump:Kdump",
    "iscsi": "ovirt_node.areas.iscsi:Iscsi",
    "nfsv4": "ovirt_node.areas.nfsv4:Nfsv4",
    "monitoring": "ovirt_node.areas.monitoring:Monitoring",
    "performance": "ovirt_node.areas.performance:Performance",
    "network": "ovirt_node.network.section:NetworkSection",
    "lifecycle": "ovirt_node.areas.lifecycle:Lifecycle",
}


def builtin_section(name: str) -> Section | None:
    """The built-in section called `name` (a new instance), or None when none is."""
    spec = BUILTIN.get(name)
    if spec is None:
        return None
    module, _, cls = spec.partition(":")
    section: Section = getattr(import_module(module), cls)()
    return section


def builtin_sections() -> list[Section]:
    return [section for name in BUILTIN if (section := builtin_section(name)) is not None]


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
    from ovirt_node.core.entrypoints import GROUP, entry_points

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

