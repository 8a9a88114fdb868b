"""The oVirt Engine page through ovirt_node.ui.testing, against the local HTTPS engine:
Retrieve shows the CA fingerprint, accepting fills the field, Save registers."""

from __future__ import annotations

from pathlib import Path

from engine_server import FakeEngine
from ovirt_node_vdsm.config import EngineRegistration
from ovirt_node_vdsm.page import EnginePage

from ovirt_node.ui.testing import FakeUI, PageHarness, builtin_page, page_context
from tests.node_fixtures import changed_paths, snapshot


def harness(root: Path, answer: bool = True) -> PageHarness:
    ctx = page_context(root, sections=[EngineRegistration()])
    return PageHarness(EnginePage, ctx, ui=FakeUI(ctx, apply=True, answer=answer))


def test_retrieve_shows_the_fingerprint_and_accepting_it_lets_save_register(
        node_root: Path, fake_engine: FakeEngine) -> None:
    h = harness(node_root)
    h.type("Management server", "127.0.0.1")
    h.type("Port", str(fake_engine.port))
    assert "Retrieve the engine's certificate and accept it" in h.text()
    h.press("Retrieve certificate")
    [dialog] = h.ui.dialogs
    assert dialog.kind == "confirm" and fake_engine.fingerprint in dialog.text
    assert h.value("CA fingerprint") == fake_engine.fingerprint
    h.save()
    assert h.ui.results == [True] and len(fake_engine.registrations) == 1
    assert (node_root / "etc/pki/vdsm/certs/cacert.pem").read_text() == fake_engine.ca_pem
    assert f"oVirt Engine https://127.0.0.1:{fake_engine.port}" in h.text()  # the status, read back

    # MANAGED_BY is what the built-in Network page reads: it is read-only now.
    network = PageHarness(builtin_page("network"), page_context(node_root, sections=[EngineRegistration()]))
    assert f"This node is managed by oVirt Engine https://127.0.0.1:{fake_engine.port}" in network.text()
    assert not network.enabled("Hostname")


def test_declining_the_certificate_leaves_the_fingerprint_empty(node_root: Path, fake_engine: FakeEngine) -> None:
    h = harness(node_root, answer=False)
    h.type("Management server", "127.0.0.1")
    h.type("Port", str(fake_engine.port))
    h.press("Retrieve certificate")
    assert h.ui.dialogs[0].kind == "confirm" and h.value("CA fingerprint") == ""


def test_server_down_and_bad_input_are_shown_and_nothing_is_written(node_root: Path) -> None:
    before = snapshot(node_root)
    h = harness(node_root)
    h.press("Retrieve certificate")
    assert h.ui.dialogs[-1].text == "Type the management server's address and port first."
    h.type("Management server", "127.0.0.1")
    h.type("Port", "1")  # nothing listens there
    h.press("Retrieve certificate")
    assert h.ui.dialogs[-1].title == "Cannot retrieve the certificate"
    assert "connection refused" in h.ui.dialogs[-1].text
    h.type("CA fingerprint", "12:34")
    assert "SHA-256 fingerprint" in h.error("CA fingerprint") and not h.save_enabled
    h.type("Port", "99999")
    assert h.error("Port") != ""
    assert changed_paths(before, snapshot(node_root)) == set()
