"""The SNMP page through ovirt_node.ui.testing: inline errors, and Save through the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from ovirt_node_snmp.config import Snmp
from ovirt_node_snmp.page import SnmpPage

from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.node_fixtures import changed_paths, snapshot


@pytest.fixture
def harness(node_root: Path) -> PageHarness:
    ctx = page_context(node_root, sections=[Snmp()])
    return PageHarness(SnmpPage, ctx, ui=FakeUI(ctx, apply=True))


def words(harness: PageHarness) -> str:
    """The page's text with runs of spaces (column alignment) squeezed."""
    return " ".join(harness.text().split())


def test_page_shows_the_state_and_the_password_waits_for_the_checkbox(harness: PageHarness) -> None:
    assert "[ ] Enable SNMP SNMPv3 user none yet Password: Confirm:" in words(harness)
    assert not harness.enabled("Password") and not harness.save_enabled


def test_enabling_needs_a_password_shown_inline_and_nothing_is_written(harness: PageHarness, node_root: Path) -> None:
    before = snapshot(node_root)
    harness.toggle("Enable SNMP")
    assert harness.enabled("Password")
    assert "needs a password" in harness.error("Password")
    harness.type("Password", "short")
    assert harness.error("Password") == "must be at least 8 characters without spaces"
    harness.type("Password", "with spaces in it")
    assert "without spaces" in harness.error("Password")
    harness.type("Password", "Good-password", confirm=False)
    harness.type_confirmation("Password", "Other-password")
    assert harness.confirm_error("Password") == "must match the password above"
    assert not harness.save_enabled
    harness.save()
    assert harness.planned is None and changed_paths(before, snapshot(node_root)) == set()


def test_save_enables_snmp_and_the_page_reads_it_back(harness: PageHarness, node_root: Path) -> None:
    harness.toggle("Enable SNMP")
    harness.type("Password", "Good-password")
    assert harness.changes() == {"snmp.enabled": "yes", "snmp.password": "Good-password"}
    harness.save()
    assert harness.ui.results == [True]
    assert "createUser root SHA" in (node_root / "var/lib/snmp/snmpd.conf").read_text()
    assert "Good-password" not in harness.planned.describe(harness.page_view.page.ctx.node)[0]
    assert "[X] Enable SNMP SNMPv3 user root (SHA, AES) Password:" in words(harness)
    assert harness.value("Enable SNMP") == "yes"


def test_the_page_says_whether_the_node_has_the_agent_the_plugin_declares(node_root: Path) -> None:
    # The demo tree has no dpkg database: nothing is installed there.
    ctx = page_context(node_root, sections=[Snmp()])
    assert "Agent snmpd is not installed on this node" in words(PageHarness(SnmpPage, ctx))
    status = node_root / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True, exist_ok=True)
    status.write_text("Package: snmpd\nStatus: install ok installed\nVersion: 5.9.3+dfsg-2\n")
    assert "Agent installed" in words(PageHarness(SnmpPage, ctx))
