"""The sections the engine knows: the built-in areas, plus those plugins contribute.

Plugins add sections through the `ovirt_node.plugins` entry point group by exposing a
`sections()` callable on the object the entry point names (see `ovirt_node.plugins`).
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
from ovirt_node.core.model import Section
from ovirt_node.network.section import NetworkSection

log = logging.getLogger(__name__)


def builtin_sections() -> list[Section]:
    return [Ssh(), Security(), Logging(), Keyboard(), Kdump(), Iscsi(), Nfsv4(), Monitoring(), Performance(),
            NetworkSection()]


def all_sections(plugin_sections: Sequence[Section] | None = None) -> list[Section]:
    """Built-in sections first, then the plugins' (discovered here unless the caller already
    has them); a name already taken is skipped and logged."""
    if plugin_sections is None:
        from ovirt_node.ui.plugins import discover

        plugin_sections = discover().sections
    seen: set[str] = set()
    unique = []
    for section in [*builtin_sections(), *plugin_sections]:
        if section.name in seen:
            log.error("config section %r is defined twice; keeping the first", section.name)
            continue
        seen.add(section.name)
        unique.append(section)
    return unique
