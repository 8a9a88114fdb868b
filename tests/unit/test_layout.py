"""The layout's rules, read from the code: no import cycles, layers that only point down, no
demo doubles among the real clients, small modules, and one public surface for plugins."""

from __future__ import annotations

import ast
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

import ovirt_node.api as api
from ovirt_node.core.entrypoints import GROUP
from ovirt_node.core.plugin_packages import GROUP as DEBIAN_GROUP

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "ovirt_node"
MAX_LINES = 750

#: The layers from the bottom up: a layer imports only its own tier and those below. Only the
#: UI's test helpers (ui/testing.py) may use the demo node; the tiers above the pages are not
#: checked against each other.
TIERS: tuple[tuple[str, ...], ...] = (
    ("core", "persist", "system"),
    ("areas", "network"),
    ("report",),
    ("ui",),
    ("pages",),
    ("installer", "boot", "image", "cli", "api"),
)
DEMO_USERS = {"ui"}
FORBIDDEN = {
    layer: tuple(above for tier in TIERS[rank + 1:] for above in tier) + (() if layer in DEMO_USERS else ("demo",))
    for rank, tier in enumerate(TIERS[:-1]) for layer in tier
}


def module_name(path: Path) -> str:
    rel = path.relative_to(REPO).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(path: Path) -> Iterator[str]:
    """Every module `path` imports, at any depth of the code (function-local imports and
    TYPE_CHECKING blocks included)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield sub if sub in modules() else node.module


def our_module(name: str) -> str | None:
    while name and name not in modules():
        name = name.rpartition(".")[0]
    return name or None


@cache
def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for name, path in modules().items():
        targets = {our_module(t) for t in imported(path) if t.startswith("ovirt_node.")}
        edges[name] = {t for t in targets if t and t != name and t != "ovirt_node"}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_counting_function_local_imports() -> None:
    assert cycles(graph()) == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_point_down(layer: str) -> None:
    prefix = f"ovirt_node.{layer}"
    bad = sorted(
        f"{name} imports {target}"
        for name, targets in graph().items() if name == prefix or name.startswith(prefix + ".")
        for target in targets
        if target.split(".")[1] in FORBIDDEN[layer]
    )
    assert bad == []


def test_no_demo_double_among_the_real_clients() -> None:
    doubles = [p.relative_to(REPO) for p in (PACKAGE / "system").rglob("*.py")
               if "dbusmock" in p.read_text() or "mock" in p.stem]
    assert doubles == []


def test_no_module_over_the_size_limit() -> None:
    big = {str(p.relative_to(REPO)): n for p in PACKAGE.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert big == {}


def tracked(*paths: str) -> list[Path]:
    out = subprocess.run(["git", "ls-files", "--", *paths], cwd=REPO, capture_output=True, text=True, check=True)
    return [REPO / line for line in out.stdout.splitlines() if line.endswith(".py")]


def test_plugins_import_only_the_public_surface() -> None:
    files = tracked("plugins", "examples")
    assert files, "no plugin sources found"
    bad = []
    for path in files:
        allowed = {"ovirt_node.api"} | ({"ovirt_node.ui.testing"} if "tests" in path.parts else set())
        for target in imported(path):
            if target.startswith("ovirt_node.") and target not in allowed:
                bad.append(f"{path.relative_to(REPO)} imports {target}")
    assert bad == []


def test_the_public_surface_is_documented_and_every_documented_name_exists() -> None:
    doc = (REPO / "docs" / "plugins.md").read_text()
    undocumented = [name for name in api.__all__ if not re.search(rf"\b{re.escape(name)}\b", doc)]
    assert undocumented == []
    missing = [name for name in api.__all__ if not hasattr(api, name)]
    assert missing == []
    modules_named = set(re.findall(r"\bovirt_node(?:\.\w+)+", doc))
    assert modules_named <= {"ovirt_node.api", "ovirt_node.ui.testing", GROUP, DEBIAN_GROUP}, modules_named
