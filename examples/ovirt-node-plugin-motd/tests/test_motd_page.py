"""The plugin's page, driven with ovirt_node.ui.testing: no terminal needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from ovirt_node_motd import MotdPage, MotdSection

from ovirt_node.ui.testing import FakeUI, PageHarness, demo_root_copy, page_context


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return demo_root_copy(tmp_path / "root")


@pytest.fixture
def harness(root: Path) -> PageHarness:
    ctx = page_context(root, sections=[MotdSection()])
    return PageHarness(MotdPage, ctx, ui=FakeUI(ctx, apply=True))


def test_page_renders_at_80x24(harness: PageHarness) -> None:
    text = harness.text()
    assert "The message every user sees after logging in" in text
    assert "Message:" in text and "(no /etc/motd)" in text
    assert not harness.save_enabled  # nothing changed yet


def test_inline_error_and_save_disabled_while_invalid(harness: PageHarness) -> None:
    harness.type("Message", " padded ")
    assert harness.error("Message") == "must not start or end with spaces"
    assert not harness.save_enabled
    harness.type("Message", "x" * 201)
    assert "200" in harness.error("Message")
    assert not harness.save_enabled


def test_save_applies_only_the_change_through_the_engine(harness: PageHarness, root: Path) -> None:
    harness.type("Message", "Authorised use only")
    assert harness.error("Message") == ""
    assert harness.changes() == {"motd.message": "Authorised use only"}
    harness.save()
    assert harness.planned is not None
    assert (root / "etc/motd").read_text() == "Authorised use only\n"
    assert "Now in /etc/motd   Authorised use only" in harness.text()
