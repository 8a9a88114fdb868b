"""The Keyboard screen: the keymaps of the live system in a searchable table, the current
one chosen at entry, and a pick applied to the console at once (never in a dry run)."""

from __future__ import annotations

from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.flow import page_context
from ovirt_node.installer.screens.keyboard import KEYMAP_KEY, Keyboard
from ovirt_node.installer.screens.screen import answer
from ovirt_node.ui.table import TableWidget
from tests.install_ui_helpers import ScreenHarness, installer


def test_focus_search_and_pick() -> None:
    h = ScreenHarness(Keyboard, installer("demo"))
    assert h.focused_key() == KEYMAP_KEY
    assert h.view.values[KEYMAP_KEY] == "us"  # the demo root's vconsole.conf names none
    assert h.can_continue
    table = h.field(KEYMAP_KEY)
    assert isinstance(table, TableWidget)
    h.type(KEYMAP_KEY, "de-lat")  # the search entry
    shown = [w.row.value for w in table.row_widgets]
    assert shown and all("de-lat" in v for v in shown)
    h.choose(KEYMAP_KEY, "de-latin1")
    assert "this console is left as it is (dry run or --root)" in h.text()
    assert h.press_continue() == Choices(keymap="de-latin1")


def test_pick_is_applied_to_the_console_at_once() -> None:
    applied: list[str] = []
    inst = installer("demo")
    inst.keymap_applier = applied.append
    h = ScreenHarness(Keyboard, inst)
    assert applied == []  # what the console has already is not applied again
    h.choose(KEYMAP_KEY, "fr")
    h.choose(KEYMAP_KEY, "de")
    assert applied == ["fr", "de"]
    assert "de is in use on this console now" in h.text()


def test_bad_keymap_name_from_answers_is_refused() -> None:
    h = ScreenHarness(Keyboard, installer("demo"), Choices(keymap="de latin1"))
    assert not h.can_continue
    assert "keymap name" in h.reason


def test_an_answered_keymap_is_applied_too() -> None:
    applied: list[str] = []
    inst = installer("demo")
    inst.keymap_applier = applied.append
    assert answer(Keyboard(page_context(inst), inst, Choices(keymap="fr"))) == Choices(keymap="fr")
    assert applied == ["fr"]
