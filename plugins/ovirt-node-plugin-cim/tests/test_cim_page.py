"""The CIM page through ovirt_node.ui.testing: inline errors, and Save through the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from ovirt_node_cim.config import Cim
from ovirt_node_cim.page import CimPage

from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.node_fixtures import changed_paths, snapshot


@pytest.fixture
def harness(node_root: Path) -> PageHarness:
    ctx = page_context(node_root, sections=[Cim()])
    return PageHarness(CimPage, ctx, ui=FakeUI(ctx, apply=True))


def words(harness: PageHarness) -> str:
    return " ".join(harness.text().split())


def test_enabling_needs_a_password_inline_and_nothing_is_written(harness: PageHarness, node_root: Path) -> None:
    assert "[ ] Enable CIM User cim no user cim on this node" in words(harness)
    before = snapshot(node_root)
    harness.toggle("Enable CIM")
    assert harness.error("Password") == "CIM needs a password for the user cim to be enabled"
    harness.type("Password", "short")
    assert "8" in harness.error("Password") and not harness.save_enabled
    harness.save()
    assert harness.planned is None and changed_paths(before, snapshot(node_root)) == set()


def test_save_creates_the_account_and_the_page_reads_it_back(harness: PageHarness, node_root: Path) -> None:
    harness.toggle("Enable CIM")
    harness.type("Password", "Cim-secret-1")
    harness.save()
    assert harness.ui.results == [True]
    assert "[X] Enable CIM User cim password set" in words(harness)
    assert (node_root / "etc/systemd/system/multi-user.target.wants/sblim-sfcb.service").is_symlink()
