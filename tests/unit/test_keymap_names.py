"""Debian's `.kmap.gz` keymaps get the `.map.gz` names localed accepts; the keymap list
(`keymaps_on_disk`, which follows localed's rule) then shows them."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.core.root import Root
from ovirt_node.image.keymap_names import link_map_names
from ovirt_node.system.keymaps import keymaps_on_disk


def test_kmap_files_get_the_names_localed_lists(tmp_path: Path) -> None:
    qwertz = tmp_path / "usr/share/keymaps/i386/qwertz"
    qwertz.mkdir(parents=True)
    (qwertz / "de-latin1.kmap.gz").write_bytes(b"gzipped keymap")
    (qwertz / "sg.kmap").write_text("plain keymap\n")
    (qwertz / "fr.map.gz").write_bytes(b"already named")
    (qwertz / "fr.kmap.gz").write_bytes(b"the other one")
    (tmp_path / "usr/share/keymaps/i386/include").mkdir()
    (tmp_path / "usr/share/keymaps/i386/include/qwertz-layout.inc").write_text("include\n")
    assert [k.name for k in keymaps_on_disk(Root.at(tmp_path))] == ["fr"]  # localed sees no .kmap

    assert link_map_names(tmp_path) == 2
    linked = qwertz / "de-latin1.map.gz"
    assert linked.read_bytes() == b"gzipped keymap" and linked.stat().st_nlink == 2  # a link, no copy
    assert (qwertz / "sg.map").read_text() == "plain keymap\n"
    assert (qwertz / "fr.map.gz").read_bytes() == b"already named"  # left alone
    assert [(k.name, k.layout) for k in keymaps_on_disk(Root.at(tmp_path))] == [
        ("de-latin1", "qwertz"), ("fr", "qwertz"), ("sg", "qwertz")]
    assert link_map_names(tmp_path) == 0  # a second run (a rebuilt image) changes nothing


def test_a_root_without_keymaps_is_fine(tmp_path: Path) -> None:
    assert link_map_names(tmp_path) == 0
