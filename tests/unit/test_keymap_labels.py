"""Keymaps by the names people know: the language, with the keymap's own name in brackets."""

from __future__ import annotations

import pytest

from ovirt_node.system.keymap_labels import label, language


@pytest.mark.parametrize(("name", "shown"), [
    ("de", "German (de)"), ("de-latin1-nodeadkeys", "German (de-latin1-nodeadkeys)"),
    ("de_CH-latin1", "Swiss German (de_CH-latin1)"), ("uk", "British English (uk)"), ("us", "US English (us)"),
    ("trq", "Turkish Q (trq)"), ("slovene", "Slovenian (slovene)"), ("jp106", "Japanese (jp106)"),
    ("bg_bds-utf8", "Bulgarian BDS (bg_bds-utf8)"), ("sk-qwertz", "Slovak (sk-qwertz)"),
])
def test_known_keymaps_show_their_language(name: str, shown: str) -> None:
    assert label(name) == shown


def test_an_unknown_code_shows_the_name_alone() -> None:
    assert label("mac-us") == "mac-us" and language("mac-us") == ""
    assert label("xx_YY-latin1") == "xx_YY-latin1"
    assert language("de_AT-latin1") == "German"  # a country not listed: at least its language
