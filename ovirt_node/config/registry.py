"""The sections the engine knows: the built-in areas, plus those plugins contribute.

Plugins add sections through the `ovirt_node.plugins` entry point group by exposing a
`sections()` callable on the object the entry point names (see docs/plugins.md).
"""

from __future__ import annotations

import logging
from importlib.metadata import entry_points

from ovirt_node.config.logs import Logging
from ovirt_node.config.model import Section
from ovirt_node.config.ssh import Ssh

log = logging.getLogger(__name__)

PLUGIN_GROUP = "ovirt_node.plugins"


def builtin_sections() -> list[Section]:
    return [Ssh(), Logging()]


def plugin_sections() -> list[Section]:
    found: list[Section] = []
    for ep in entry_points(group=PLUGIN_GROUP):
        try:
            provider = ep.load()
            found.extend(getattr(provider, "sections", lambda: [])())
        except Exception as exc:  # a broken plugin must not take the engine down
            log.error("plugin %s: cannot load its config sections: %s", ep.name, exc)
    return found


def all_sections() -> list[Section]:
    sections = builtin_sections() + plugin_sections()
    seen: set[str] = set()
    unique = []
    for section in sections:
        if section.name in seen:
            log.error("config section %r is defined twice; keeping the first", section.name)
            continue
        seen.add(section.name)
        unique.append(section)
    return unique
