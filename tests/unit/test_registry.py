"""The built-in sections' table (`registry.BUILTIN`, imported lazily by name) against the
sections themselves: a wrong entry would make `ovirt-node-config get` read another area."""

from __future__ import annotations

import sys

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
