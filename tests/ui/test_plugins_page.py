"""The Plugins page with a real installed plugin that raises on import: it is listed as failed
with the reason (and its traceback on Enter), every other plugin still loads, the TUI starts."""

from __future__ import annotations

from pathlib import Path

import pytest
from urwid.testing import ScriptedScreen

from ovirt_node.pages.plugins import PluginsPage
from ovirt_node.ui.app import Application
from ovirt_node.ui.auth import DemoAuthenticator
from ovirt_node.ui.page import Label, PageContext
from ovirt_node.ui.plugins import discover
from ovirt_node.ui.testing import PageHarness
from ovirt_node.ui.worker import Manual
from tests.broken_plugin import DIST, ERROR, install_broken_plugin

BUILTIN = {"status", "security", "logging", "plugins", "support", "diagnostics", "kdump", "remote_storage",
           "keyboard", "monitoring", "performance"}


@pytest.fixture
def broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(install_broken_plugin(tmp_path / "site")))


def test_a_plugin_that_raises_on_import_is_a_failure_and_the_rest_load(broken: None) -> None:
    found = discover()
    ((info, reason),) = found.failures
    assert (info.name, info.distribution, info.version, info.value) == ("broken", DIST, "0.1",
                                                                       "ovirt_node_broken_demo:plugin")
    assert reason == ERROR and "Traceback" in info.trace
    assert BUILTIN <= {i.name for i in found.loaded}
    status = next(i for i in found.loaded if i.name == "status")
    assert status.provides == ("page Status",) and status.distribution == "ovirt-node"


def test_the_page_lists_the_failure_first_with_its_traceback_on_enter(broken: None, page_ctx: PageContext) -> None:
    h = PageHarness(PluginsPage, page_ctx)
    text = h.text()
    assert text.index("Plugins that failed to load (1):") < text.index(f"Loaded plugins ({len(discover().loaded)})")
    assert f"< broken             {DIST} 0.1 >" in text and "  ovirt_node_broken_demo:plugin" in text
    assert f"failed: {ERROR}" in " ".join(text.split())
    h.press(f"broken             {DIST} 0.1")
    details = h.ui.dialogs[0]
    assert details.title == "Plugin broken" and f"Failed:        {ERROR}" in details.text
    assert 'raise RuntimeError("this plugin fails on purpose")' in details.text
    h.press("status             ovirt-node 4.0.0")
    assert "Adds:          page Status" in h.ui.dialogs[1].text


def test_the_tui_starts_with_the_broken_plugin_installed(broken: None, page_ctx: PageContext) -> None:
    plugins = discover()
    app = Application(page_ctx, plugins.pages, DemoAuthenticator(), screen=ScriptedScreen(size=(80, 24)),
                      dispatcher=Manual())  # workers report only when asked: no race with drawing
    assert "Status" in app.text() and "Plugins" in app.text()
    app.show_page("plugins")
    assert "Plugins that failed to load (1):" in app.text()


def test_without_failures_the_page_says_every_plugin_loaded(page_ctx: PageContext) -> None:
    labels = [i.text for i in PageHarness(PluginsPage, page_ctx).page_view.item_specs if isinstance(i, Label)]
    assert labels[0] == f"Loaded plugins ({len(discover().loaded)}); Enter shows the details:"
    assert labels[-1] == "Every installed plugin loaded." and not any("failed" in t for t in labels)
