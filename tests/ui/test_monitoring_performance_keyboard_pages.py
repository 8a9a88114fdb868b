"""The Monitoring, Performance and Keyboard pages driven with PageHarness on a copy of the demo
node (real engine, real Augeas; transactions applied): what they show, the inline errors,
Save, and what the files hold afterwards."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.pages.keyboard import KeyboardPage
from ovirt_node.pages.monitoring import MonitoringPage
from ovirt_node.pages.performance import PerformancePage
from ovirt_node.ui.testing import FakeUI, PageHarness, page_context
from tests.node_fixtures import changed_paths, snapshot

COLLECTD = "etc/collectd/collectd.conf"


def harness(page: type, root: Path, mode: str = "color") -> PageHarness:
    ctx = page_context(root)
    return PageHarness(page, ctx, ui=FakeUI(ctx, apply=True), mode=mode)  # type: ignore[arg-type]


# -- Monitoring ---------------------------------------------------------------------------------

def test_monitoring_page_saves_the_server_and_shows_it_again(node_root: Path) -> None:
    h = harness(MonitoringPage, node_root)
    assert h.value("Server") == "" and h.value("Port") == "25826"
    assert not h.enabled("Port")  # no server: nothing to send to
    h.type("Server", "collectd.example.com")
    assert h.enabled("Port")
    h.type("Port", "3000")
    assert h.save_enabled
    h.save()
    assert h.ui.results == [True]
    assert 'Server "collectd.example.com" "3000"' in (node_root / COLLECTD).read_text()
    again = harness(MonitoringPage, node_root)  # a new page reads the file back
    assert (again.value("Server"), again.value("Port")) == ("collectd.example.com", "3000")
    assert "collectd.example.com" in again.text()


def test_monitoring_bad_port_is_an_inline_error_and_nothing_is_written(node_root: Path) -> None:
    before = snapshot(node_root)
    h = harness(MonitoringPage, node_root)
    h.type("Server", "192.0.2.10")
    for port in ("0", "70000", "http"):
        h.type("Port", port)
        assert h.error("Port") == "must be a port number from 1 to 65535"
        assert not h.save_enabled and "Fix the marked fields to save" in h.text()
        h.save()
    h.type("Server", "not a host!")
    assert h.error("Server").startswith("must be")
    assert h.ui.transactions == []
    assert snapshot(node_root) == before


def test_monitoring_clearing_the_server_turns_it_off(node_root: Path) -> None:
    original = (node_root / COLLECTD).read_text()
    h = harness(MonitoringPage, node_root)
    h.type("Server", "192.0.2.10")
    h.save()
    h.type("Server", "")
    h.save()
    assert h.ui.results == [True, True]
    assert (node_root / COLLECTD).read_text() == original


# -- Performance --------------------------------------------------------------------------------

def test_performance_page_lists_profiles_and_switches(node_root: Path) -> None:
    h = harness(PerformancePage, node_root)
    text = h.text()
    assert "Active profile     virtual-host" in text
    assert "(\u2022) virtual-host" in text  # the list opens at the chosen row
    assert "( ) None (no tuning)" in text and "( ) balanced" in text
    assert h.value("performance.tuned.profile") == "virtual-host"
    before = snapshot(node_root)
    h.choose("Profile", "balanced")
    assert h.changes() == {"performance.tuned.profile": "balanced"}
    h.save()
    assert h.ui.results == [True]
    assert changed_paths(before, snapshot(node_root)) == {"/etc/default/ovirt", "/etc/tuned/active_profile"}
    assert "Active profile     balanced" in h.text()  # reloaded after Save
    h.choose("Profile", "none")
    h.save()
    assert (node_root / "etc/tuned/active_profile").read_text() == "\n"
    assert "Active profile     none (tuning is off)" in harness(PerformancePage, node_root).text()


def test_performance_profile_tuned_lacks_is_an_inline_error(node_root: Path) -> None:
    (node_root / "etc/tuned/active_profile").write_text("sap-hana\n")
    before = snapshot(node_root)
    h = harness(PerformancePage, node_root)
    assert h.error("Profile").startswith("tuned has no profile 'sap-hana'; it must be one of: none, balanced,")
    assert "tuned has no profile 'sap-hana'" in h.text()
    h.save()
    assert h.ui.transactions == [] and snapshot(node_root) == before
    h.choose("Profile", "virtual-host")
    assert h.error("Profile") == "" and h.save_enabled


# -- Keyboard -----------------------------------------------------------------------------------

def test_keyboard_page_search_pick_and_save(node_root: Path) -> None:
    h = harness(KeyboardPage, node_root)
    assert "(\u2022) US English (us)" in h.text() and "Search:" in h.text()
    h.type("Keymap", "latin1")  # the search entry
    rows = [line.strip()[4:] for line in h.lines() if line.strip().startswith("( )")]
    # The names people know, in their order; the keymap's own name in brackets.
    assert [r.partition(")")[0] + ")" for r in rows] == [
        "Belgian (be-latin1)", "French (fr-latin1)", "German (de-latin1)", "German (de-latin1-nodeadkeys)",
        "Icelandic (is-latin1)", "Portuguese (pt-latin1)", "Swedish (se-latin1)", "Swiss French (fr_CH-latin1)",
        "Swiss German (de_CH-latin1)"]
    h.type("Keymap", "German")  # the language finds it too
    assert h.field("Keymap").walker.get_focus()[0].row.value == "de"  # German (de), the first
    h.type("Keymap", "de-lat")
    h.keys("enter")  # in the entry: picks the first row starting with it
    assert h.changes() == {"keyboard.keymap": "de-latin1"}
    h.save()
    assert h.ui.results == [True]
    assert (node_root / "etc/vconsole.conf").read_text() == "KEYMAP=de-latin1\n"
    again = harness(KeyboardPage, node_root)
    assert "(\u2022) German (de-latin1) " in again.text()


def test_keyboard_keymap_that_does_not_exist_is_an_inline_error(node_root: Path) -> None:
    (node_root / "etc/vconsole.conf").write_text("KEYMAP=klingon\n")
    before = snapshot(node_root)
    h = harness(KeyboardPage, node_root, mode="basic")
    assert h.error("Keymap") == "no keymap 'klingon' is installed on this node"
    assert "no keymap 'klingon' is installed" in h.text()
    assert all(line.isascii() for line in h.lines())
    h.save()
    assert h.ui.transactions == [] and snapshot(node_root) == before
    h.choose("Keymap", "us")
    assert h.error("Keymap") == "" and h.save_enabled
