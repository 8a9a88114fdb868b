"""`Table(..., search=True)`: a "Search:" entry above the rows that filters them as you type,
whether the focus is in the entry or on the rows; canvas text at 80x24, keys as an operator."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ovirt_node.ui.page import Item, Page, PageContext, Row, Table
from ovirt_node.ui.table import TableWidget
from ovirt_node.ui.testing import PageHarness

NAMES = ["azerty", "de", "de-latin1", "dvorak", "fr", "fr-latin9", "sv", "uk", "us", "us-acentos"]


def _rows(ctx: PageContext) -> Sequence[Row]:
    return [Row(n, (n, "latin" if "latin" in n else "")) for n in NAMES]


class Searchable(Page):
    name = "searchable"
    title = "Searchable"

    def layout(self) -> Sequence[Item]:
        return [Table("local.map", "Map:", columns=("Name", "Kind"), rows=_rows, height=4, search=True)]


class Plain(Page):
    name = "plain"
    title = "Plain"

    def layout(self) -> Sequence[Item]:
        return [Table("local.map", "Map:", columns=("Name", "Kind"), rows=_rows, height=4)]


def shown(h: PageHarness) -> list[str]:
    """The names of the rows on screen."""
    return [line.split(")", 1)[1].split()[0] for line in h.lines() if line.strip().startswith(("( )", "(\u2022)"))]


def table(h: PageHarness) -> TableWidget:
    widget = h.field("local.map")
    assert isinstance(widget, TableWidget)
    return widget


def test_typing_in_the_entry_filters_and_keeps_the_height(page_ctx: PageContext) -> None:
    h = PageHarness(Searchable, page_ctx)
    assert "Search:" in h.text() and shown(h) == ["azerty", "de", "de-latin1", "dvorak"]
    height = len(h.lines())
    h.keys("l", "a", "t")  # the entry has the focus first
    assert shown(h) == ["de-latin1", "fr-latin9"]  # in the name or in another column
    h.keys("i", "n", "9")
    assert shown(h) == ["fr-latin9"]
    h.keys("x")
    assert shown(h) == [] and "(no row contains 'latin9x')" in h.text()
    assert len(h.lines()) == height and table(h).box.height == 4  # the page does not jump
    h.type("Map", "")
    assert shown(h)[:2] == ["azerty", "de"]


def test_letters_typed_on_the_rows_go_to_the_search(page_ctx: PageContext) -> None:
    h = PageHarness(Searchable, page_ctx)
    h.keys("down", "down")  # entry -> first row -> second row
    assert table(h).body.focus is table(h).box
    h.keys("u", "s")
    assert table(h).edit.edit_text == "us" and shown(h) == ["us", "us-acentos"]
    h.keys("down", "backspace")  # still searchable from the rows
    assert table(h).edit.edit_text == "u" and "uk" in shown(h)
    h.keys(" ")  # space still picks the focused row, never searches
    assert h.changes() == {"local.map": "uk"}


def test_enter_in_the_entry_picks_the_first_row_starting_with_it(page_ctx: PageContext) -> None:
    h = PageHarness(Searchable, page_ctx)
    h.type("Map", "fr")
    assert shown(h) == ["fr", "fr-latin9"]
    h.keys("enter")
    assert h.changes() == {"local.map": "fr"}
    h.type("Map", "acentos")  # no row starts with it: the first match
    h.keys("enter")
    assert h.changes() == {"local.map": "us-acentos"}
    h.type("Map", "zzz")
    assert h.keys("enter") == ["enter"]  # nothing to pick: the key is not used up


def test_up_from_the_first_row_returns_to_the_entry(page_ctx: PageContext) -> None:
    h = PageHarness(Searchable, page_ctx)
    h.keys("down")
    assert table(h).body.focus is table(h).box
    h.keys("up")
    assert table(h).body.focus is not table(h).box


@pytest.mark.parametrize("mode", ["basic", "color"])
def test_search_line_is_ascii_in_basic_mode(page_ctx: PageContext, mode: str) -> None:
    h = PageHarness(Searchable, page_ctx, mode=mode)
    h.type("Map", "nothing-matches")
    assert "Search: nothing-matches" in h.text()
    if mode == "basic":
        assert all(line.isascii() for line in h.lines())
        h.keys("\u00e9")  # basic mode: nothing outside ASCII gets into the entry
        assert table(h).edit.edit_text == "nothing-matches"


def focused_row(h: PageHarness) -> str:
    return str(table(h).walker.get_focus()[0].row.value)


def test_a_table_without_search_jumps_to_the_row_typed(page_ctx: PageContext) -> None:
    h = PageHarness(Plain, page_ctx)
    assert "Search:" not in h.text()
    assert not hasattr(table(h), "edit")
    assert h.keys("u") == []  # type-to-search: the first row starting with it
    assert focused_row(h) == "uk" and "uk" in shown(h)  # scrolled to it
    assert h.keys("s") == [] and focused_row(h) == "us"  # "us": the letters make a prefix
    assert h.keys("-") == ["-"]  # not a letter or digit: not the table's business
    table(h)._typed_at = 0.0  # a second later: a new search
    assert h.keys("f") == [] and focused_row(h) == "fr"
    assert h.keys("x") == [] and focused_row(h) == "fr"  # "frx" and "x": no such row, the focus stays
