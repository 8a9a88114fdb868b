"""The oVirt Engine page (3.x's vdsm plugin page): the engine's address, its CA fingerprint
retrieved and shown for the operator to accept, and Save to register."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from ovirt_node.api import (
    Button,
    Divider,
    Entry,
    FormUI,
    FQDNOrIP,
    Item,
    KeyValue,
    Label,
    Notice,
    Page,
    PageContext,
    PageUI,
    Port,
    Values,
)
from ovirt_node_vdsm import pki

ACCEPT = "Accept this certificate"


def status(ctx: PageContext) -> str:
    return ctx.node_setting("MANAGED_BY") or "not registered"


def fingerprint_notice(values: Values) -> str:
    if values.get("engine.server") and not values.get("engine.fingerprint"):
        return ("Retrieve the engine's certificate and accept it to register; without it, Save only "
                "records the address.")
    return ""


def retrieve_certificate(ui: PageUI) -> None:
    """Fetch the CA from the typed address in a worker, show its fingerprint, and on yes put
    it in the fingerprint field (Save then registers, storing the CA only if it still matches)."""
    form = cast(FormUI, ui)
    values = form.values()
    server, port = values.get("engine.server", ""), values.get("engine.port", "")
    if not FQDNOrIP().is_valid(server) or not Port().is_valid(port):
        ui.info("Retrieve certificate", "Type the management server's address and port first.")
        return

    def done(result: object) -> None:
        if isinstance(result, Exception):
            ui.info("Cannot retrieve the certificate", str(result))
            return
        fp = pki.fingerprint(str(result))
        ui.confirm(ACCEPT + "?",
                   f"The engine at {pki.base_url(server, int(port))} presents a CA certificate with the "
                   f"SHA-256 fingerprint\n\n{fp}\n\nCompare it with the engine's own (on the engine: openssl x509 "
                   "-in /etc/pki/ovirt-engine/ca.pem -noout -fingerprint -sha256) before you accept it.",
                   lambda: form.set_value("engine.fingerprint", fp))

    ui.run_in_worker(lambda: pki.fetch_ca(server, int(port)), done)


class EnginePage(Page):
    name = "engine"
    title = "oVirt Engine"
    rank = 80

    def layout(self) -> Sequence[Item]:
        return [
            Label("Register the node with an oVirt Engine, which then manages it (the Network page "
                  "becomes read-only)."),
            KeyValue("Status", status),
            Divider(),
            Entry("engine.server", "Management server:"),
            Entry("engine.port", "Port:"),
            Button("Retrieve certificate", retrieve_certificate),
            Entry("engine.fingerprint", "CA fingerprint:", help="SHA-256 of the engine's CA, as accepted"),
            Notice(fingerprint_notice),
        ]
