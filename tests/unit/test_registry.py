"""The built-in sections' table (`registry.BUILTIN`, imported lazily by name) against the
sections themselves: a wrong entry would make `ovirt-node-config get` read another area."""

from __future__ import annotations

import sys
from pathlib import Path

from ovirt_node.areas import registry
from ovirt_node.core.model import Section


def test_each_entry_builds_the_section_of_its_name_and_owns_its_keys() -> None:
    sections = registry.builtin_sections()
    assert [s.name for s in sections] == list(registry.BUILTIN)
    for section in sections:
        assert isinstance(section, Section)
        assert section.keys and all(key.section == section.name for key in section.keys), section.name
        assert registry.BUILTIN[section.name] == f"{type(section).__module__}:{type(section).__name__}"


def test_the_engine_sees_the_same_sections_as_before() -> None:
    """all_sections() still lists the built-in ones first, each once, then the plugins'."""
    names = [s.name for s in registry.all_sections()]
    assert names[: len(registry.BUILTIN)] == list(registry.BUILTIN)
    assert len(names) == len(set(names))


def test_an_unknown_name_is_none_and_imports_nothing() -> None:
    before = set(sys.modules)
    assert registry.builtin_section("sshh") is None
    assert registry.builtin_section("") is None
    assert set(sys.modules) == before


READ_NAMED = """
import sys
from pathlib import Path
from ovirt_node.areas.registry import BUILTIN, all_sections, builtin_section
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root

engine = Engine(Context(root=Root.at(Path(sys.argv[1]))), lambda: all_sections([]), one=builtin_section)
values = engine.values(["network", "logging"])
areas = sorted(name for name, spec in BUILTIN.items() if spec.partition(":")[0] in sys.modules)
early = engine.section("network")
print("VALUES", values["network.hostname"], values["logging.rsyslog.server"] or "-")
print("AREAS", *areas)
print("STEPS", "ovirt_node.core.steps" in sys.modules)
print("KEPT", engine.sections["network"] is early, len(engine.sections))
"""


def test_reading_named_sections_builds_those_alone(tmp_path: Path) -> None:
    """The setup TUI's Status page reads two areas: those two are imported (not the other eight,
    nor the steps a change needs), and the full set built later keeps the same instances."""
    import subprocess

    from ovirt_node.core.resources import copy_demo_root

    copy_demo_root(tmp_path / "root")
    out = subprocess.run([sys.executable, "-c", READ_NAMED, str(tmp_path / "root")], capture_output=True, text=True,
                         check=True, timeout=60).stdout.splitlines()
    assert out == ["VALUES demo-node.example.com -", "AREAS logging network", "STEPS False",
                   f"KEPT True {len(registry.BUILTIN)}"]
