"""Pages the menu lists by reference (PageRef): the built-in ones but Status, and a plugin's.
The module is imported when the page is first shown; a reference that does not match its
class, or a module that fails to import, shows the broken-page notice for that page alone."""

from __future__ import annotations

import sys

import pytest

from ovirt_node import pages as builtin_pages
from ovirt_node.pages.status import StatusPage
from ovirt_node.ui.page import PageContext, PageRef, load_page
from tests.ui.test_app import App

BUILTIN_REFS = [ref for ref in vars(builtin_pages).values() if isinstance(ref, PageRef)]


@pytest.mark.parametrize("ref", BUILTIN_REFS, ids=lambda ref: ref.name)
def test_each_builtin_reference_names_its_class_with_the_same_name_title_and_rank(ref: PageRef) -> None:
    page = ref.load()
    assert (page.name, page.title, page.rank) == (ref.name, ref.title, ref.rank)


def test_a_listed_page_is_imported_when_first_shown(page_ctx: PageContext) -> None:
    ref = PageRef("lazy", "Lazy Page", 40, "tests.ui.lazy_page:LazyPage")
    sys.modules.pop("tests.ui.lazy_page", None)
    a = App(page_ctx, [StatusPage, ref])
    assert "Lazy Page" in a.text() and "tests.ui.lazy_page" not in sys.modules  # in the menu, not imported
    a.app.show_page("lazy")
    assert "tests.ui.lazy_page" in sys.modules and "Imported when shown" in a.text()
    assert load_page(ref).title == "Lazy Page"


@pytest.mark.parametrize(("target", "reason"), [
    ("tests.ui.lazy_page:LazyPage", "declares name, title, rank ('lazy', 'Lazy Page', 40)"),
    ("tests.ui.no_such_module:Page", "No module named 'tests.ui.no_such_module'"),
    ("tests.ui.lazy_page:NotAPage", "is not a Page subclass"),
])
def test_a_reference_that_cannot_be_loaded_breaks_only_its_page(page_ctx: PageContext, target: str,
                                                                 reason: str) -> None:
    ref = PageRef("lazy", "Wrong Title", 40, target)
    a = App(page_ctx, [StatusPage, ref])
    a.app.show_page("lazy")
    text = " ".join(a.text().replace("\u2502", " ").split())  # the page column, its lines joined
    assert "Wrong Title" in text and reason in text, text
    a.app.show_page("status")
    assert "Hostname" in a.text()
