"""The Puppet page through ovirt_node.ui.testing."""

from __future__ import annotations

from pathlib import Path

import pytest
from ovirt_node_puppet.config import Puppet
from ovirt_node_puppet.page import PuppetPage

from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.node_fixtures import changed_paths, snapshot


@pytest.fixture
def harness(node_root: Path) -> PageHarness:
    ctx = page_context(node_root, sections=[Puppet()])
    return PageHarness(PuppetPage, ctx, ui=FakeUI(ctx, apply=True))


def test_fields_wait_for_the_checkbox_and_errors_show_inline(harness: PageHarness, node_root: Path) -> None:
    assert "Node FQDN" in harness.text() and "demo-node.example.com" in harness.text()
    assert not harness.enabled("Puppet server")
    before = snapshot(node_root)
    harness.toggle("Enable the Puppet agent")
    assert harness.error("Puppet server") == "the agent needs a Puppet server to be enabled"
    harness.type("Puppet server", "puppet.example.com")
    harness.type("Run interval", "soon")
    assert "a duration" in harness.error("Run interval") and not harness.save_enabled
    harness.save()
    assert harness.planned is None and changed_paths(before, snapshot(node_root)) == set()


def test_save_writes_puppet_conf_and_reads_it_back(harness: PageHarness, node_root: Path) -> None:
    harness.toggle("Enable the Puppet agent")
    harness.type("Puppet server", "puppet.example.com")
    harness.type("Certname", "node1.example.com")
    harness.save()
    assert harness.ui.results == [True]
    assert "certname=node1.example.com" in (node_root / "etc/puppet/puppet.conf").read_text()
    assert harness.value("Certname") == "node1.example.com" and harness.value("Run interval") == "30m"


def test_the_page_says_whether_the_node_has_the_agent_the_plugin_declares(node_root: Path) -> None:
    ctx = page_context(node_root, sections=[Puppet()])
    status = node_root / "var/lib/dpkg/status"
    status.parent.mkdir(parents=True, exist_ok=True)
    status.write_text("Package: puppet-agent\nStatus: deinstall ok config-files\n")  # removed, its config kept
    assert "Agent puppet-agent is not installed on this node" in " ".join(PageHarness(PuppetPage, ctx).text().split())
    status.write_text("Package: puppet-agent\nStatus: install ok installed\n")
    assert "Agent installed" in " ".join(PageHarness(PuppetPage, ctx).text().split())
