"""The entry point reader finds what importlib.metadata finds (which it replaces at start-up),
and loads values the way it does."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path
from types import ModuleType

import pytest

from ovirt_node import __version__
from ovirt_node.core import entrypoints


def dist_info(site: Path, folder: str, name: str, version: str, entry_points: str, meta: str = "METADATA") -> None:
    info = site / folder
    info.mkdir(parents=True)
    (info / meta).write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: x\n\nName: body\n")
    (info / "entry_points.txt").write_text(entry_points)


def ours(group: str) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((e.name, e.value, e.dist.header("Name"), e.dist.header("Version"))
                  for e in entrypoints.entry_points(group))


def theirs(group: str) -> list[tuple[str, str, str | None, str | None]]:
    return sorted((e.name, e.value, e.dist.metadata["Name"] if e.dist else None, e.dist.version if e.dist else None)
                  for e in importlib.metadata.entry_points(group=group))


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder early on sys.path: a second ovirt-node (hidden behind the first one found), an
    old-style egg-info plugin, and a plugin whose entry_points.txt has comments and extras."""
    site = tmp_path / "site"
    dist_info(site, "ovirt_node-0.1.dist-info", "ovirt-node", "0.1", "[ovirt_node.plugins]\nshadow = shadow:Page\n")
    dist_info(site, "Old.Plugin-2.0.egg-info", "Old.Plugin", "2.0",
              "[console_scripts]\nold = old:main\n\n[ovirt_node.plugins]\nold = old_plugin\n", meta="PKG-INFO")
    dist_info(site, "new_plugin-1.0.dist-info", "new-plugin", "1.0",
              "# generated\n[ovirt_node.plugins]\n  new = new_plugin.pages : plugin.inner [extra]  \n\n[other]\nx=y\n")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_the_same_entry_points_as_importlib_metadata_for_every_group(site: Path) -> None:
    groups = {e.group for d in importlib.metadata.distributions() for e in d.entry_points}
    assert {"ovirt_node.plugins", "console_scripts", "other"} <= groups
    for group in groups:
        assert ours(group) == theirs(group), group
    found = ours("ovirt_node.plugins")
    assert ("new", "new_plugin.pages : plugin.inner [extra]", "new-plugin", "1.0") in found
    assert ("old", "old_plugin", "Old.Plugin", "2.0") in found
    # The first ovirt-node on sys.path is the one that counts; here that is the shadow one.
    assert [f for f in found if f[2] == "ovirt-node"] == [("shadow", "shadow:Page", "ovirt-node", "0.1")]


def test_without_the_shadow_the_installed_pages_and_the_version_are_found() -> None:
    found = ours("ovirt_node.plugins")
    assert ("status", "ovirt_node.pages.status:StatusPage", "ovirt-node", __version__) in found
    assert importlib.metadata.version("ovirt-node") == __version__  # pyproject takes it from the package


def test_load_follows_module_and_attributes(site: Path) -> None:
    (site / "new_plugin").mkdir()
    (site / "new_plugin" / "__init__.py").write_text("")
    (site / "new_plugin" / "pages.py").write_text("class plugin:\n    inner = 42\n")
    (site / "old_plugin.py").write_text("VALUE = 7\n")
    loaded = {e.name: e.load() for e in entrypoints.entry_points("ovirt_node.plugins") if e.name in ("new", "old")}
    assert loaded["new"] == 42
    old = loaded["old"]
    assert isinstance(old, ModuleType) and old.VALUE == 7  # no attribute: the module itself


def test_a_bad_value_or_a_missing_attribute_raises_on_load(site: Path) -> None:
    dist = entrypoints.Distribution(str(site / "new_plugin-1.0.dist-info"))
    with pytest.raises(ValueError, match="not an entry point value"):
        entrypoints.EntryPoint("bad", "no way:", "g", dist).load()
    with pytest.raises(AttributeError):
        entrypoints.EntryPoint("bad", "os:no_such_thing", "g", dist).load()
    assert dist.header("version") == "1.0" and dist.header("Description") is None
