"""Plugin discovery through the `ovirt_node.plugins` entry point group.

An entry point may name a `Page` subclass, a `PageRef` (the page's module is imported when
it is first shown), or an object (module, class, instance) with a `pages()` callable
returning Page subclasses or PageRefs and/or a `sections()` callable returning config
sections. The built-in pages are registered the same way. A plugin that fails to import or
to answer is skipped, logged, and listed in `Plugins.failures` for the Plugins page.
"""

from __future__ import annotations

import logging
import traceback
from typing import TYPE_CHECKING

from ovirt_node.core.entrypoints import GROUP, EntryPoint, entry_points
from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.ui.page import MenuPage, Page, PageRef

if TYPE_CHECKING:
    from ovirt_node.core.model import Section

log = logging.getLogger(__name__)


class PluginInfo(NamedTuple):
    name: str  # entry point name
    value: str  # module:attr
    distribution: str
    version: str
    #: What it adds ("page Status", "section ssh"), once loaded.
    provides: tuple[str, ...] = ()
    #: The traceback, when it failed to load.
    trace: str = ""


class Plugins:
    """What discovery found. Plain classes and named tuples here, not dataclasses: the setup
    TUI imports this before its first screen, and each dataclass costs it compiles."""

    def __init__(self, pages: list[MenuPage] | None = None, sections: list[Section] | None = None,
                 loaded: list[PluginInfo] | None = None, failures: list[tuple[PluginInfo, str]] | None = None) -> None:
        self.pages: list[MenuPage] = [] if pages is None else pages
        self.sections: list[Section] = [] if sections is None else sections
        self.loaded: list[PluginInfo] = [] if loaded is None else loaded
        self.failures: list[tuple[PluginInfo, str]] = [] if failures is None else failures


def _info(ep: EntryPoint) -> PluginInfo:
    return PluginInfo(ep.name, ep.value, ep.dist.header("Name") or "?", ep.dist.header("Version") or "?")


def _reason(exc: Exception) -> str:
    """`Type: message (file, line N)`: where in the plugin it broke, without the traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({frames[-1].filename.rsplit('/', 1)[-1]}, line {frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _provides(pages: list[MenuPage], sections: list[Section]) -> tuple[str, ...]:
    titles = (getattr(p, "title", None) or getattr(p, "__name__", "?") for p in pages)
    return (*(f"page {title}" for title in titles), *(f"section {s.name}" for s in sections))


def discover() -> Plugins:
    found = Plugins()
    for ep in sorted(entry_points(GROUP), key=lambda e: e.name):
        info = _info(ep)
        try:
            obj = ep.load()
            if isinstance(obj, PageRef) or (isinstance(obj, type) and issubclass(obj, Page)):
                pages: list[MenuPage] = [obj]
            else:
                pages = list(getattr(obj, "pages", lambda: [])())
            sections = list(getattr(obj, "sections", lambda: [])())
            bad = [p for p in pages if not (isinstance(p, PageRef) or (isinstance(p, type) and issubclass(p, Page)))]
            if bad:
                raise TypeError(f"pages() returned something that is neither a Page subclass nor a PageRef: {bad[0]!r}")
        except Exception as exc:  # a broken plugin must never take the UI down
            log.error("plugin %s (%s) skipped: %s: %s", ep.name, ep.value, type(exc).__name__, exc)
            trace = "".join(traceback.format_exception(exc))
            found.failures.append((info._replace(trace=trace), _reason(exc)))
            continue
        found.pages.extend(pages)
        found.sections.extend(sections)
        found.loaded.append(info._replace(provides=_provides(pages, sections)))
    return found
