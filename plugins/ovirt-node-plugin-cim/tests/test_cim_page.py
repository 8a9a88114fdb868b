"""The CIM page through ovirt_node.ui.testing: on an EL node tree inline errors and Save through
the engine; on a Debian one the sentence that there is no CIM server, and no field."""

from __future__ import annotations

from pathlib import Path

import pytest
from ovirt_node_cim.config import NO_CIMOM, Cim
from ovirt_node_cim.page import CimPage

from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.integration.el_node import make_el_root
from tests.node_fixtures import changed_paths, snapshot


def harness_on(root: Path) -> PageHarness:
    ctx = page_context(root, sections=[Cim()])
    return PageHarness(CimPage, ctx, ui=FakeUI(ctx, apply=True))


@pytest.fixture
def el_root(node_root: Path) -> Path:
    return make_el_root(node_root)


@pytest.fixture
def harness(el_root: Path) -> PageHarness:
    return harness_on(el_root)


def words(harness: PageHarness) -> str:
    return " ".join(harness.text().split())


def test_enabling_needs_a_password_inline_and_nothing_is_written(harness: PageHarness, el_root: Path) -> None:
    assert "[ ] Enable CIM User cim no user cim on this node" in words(harness)
    before = snapshot(el_root)
    harness.toggle("Enable CIM")
    assert harness.error("Password") == "CIM needs a password for the user cim to be enabled"
    harness.type("Password", "short")
    assert "8" in harness.error("Password") and not harness.save_enabled
    harness.save()
    assert harness.planned is None and changed_paths(before, snapshot(el_root)) == set()


def test_save_creates_the_account_and_the_page_reads_it_back(harness: PageHarness, el_root: Path) -> None:
    harness.toggle("Enable CIM")
    harness.type("Password", "Cim-secret-1")
    harness.save()
    assert harness.ui.results == [True]
    assert "[X] Enable CIM User cim password set" in words(harness)
    assert (el_root / "etc/systemd/system/multi-user.target.wants/sblim-sfcb.service").is_symlink()


def test_on_a_debian_node_the_page_says_there_is_no_cim_server_and_offers_nothing(node_root: Path) -> None:
    page = harness_on(node_root)
    assert NO_CIMOM in words(page)
    assert "Enable CIM" not in words(page) and "Password" not in words(page)
    assert not page.save_enabled  # nothing to save: no field, no Save button
