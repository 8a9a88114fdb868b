"""The Status page's "Reset configuration": what is kept and what goes, the admin's password
(checked against /etc/shadow's hash; on the demo node also "demo", as its lock screen takes) and
RESET typed, then the reset as one transaction
(ovirt_node/areas/reset.py), shown by the progress dialog like any save."""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from ovirt_node.areas.reset import CONFIRM_WORD, ResetError, journal, plan_reset, pristine_tree
from ovirt_node.core.valid import NonEmpty
from ovirt_node.system.accounts import ADMIN_USER
from ovirt_node.system.passcheck import password_matches
from ovirt_node.ui.auth import DemoAuthenticator
from ovirt_node.ui.page import DialogUI, Entry, FormSpec, Label, PageContext, PageUI, Password, Values

TITLE = "Reset configuration"
PASSWORD = "reset.password"
WORD = "reset.word"
#: What the dialog says before anything is typed.
TEXT = (
    "Every setting goes back to the image's defaults and every persisted file is dropped "
    "from /config.\n"
    "Kept: the management network and DNS, the host name, the accounts and passwords, SSH "
    "access and the SSH host keys, so the node stays reachable.\n"
    "Services keep running as they are until the node restarts."
)


def errors(ctx: PageContext, values: Values) -> dict[str, str]:
    """What is wrong with the typed answers; empty when the reset may go ahead."""
    found = {}
    typed = values.get(PASSWORD, "")
    # The demo node's admin has no password; there, as on its lock screen, it is "demo".
    demo = ctx.demo and DemoAuthenticator().authenticate(typed)
    if not (demo or password_matches(ctx.root, ADMIN_USER, typed)):
        found[PASSWORD] = f"not the password of {ADMIN_USER}"
    if values.get(WORD, "").strip() != CONFIRM_WORD:
        found[WORD] = f"type {CONFIRM_WORD} (in capitals) to confirm"
    return found


def open_reset(ctx: PageContext, ui: PageUI) -> None:
    dialogs = cast(DialogUI, ui)
    items = [Label(TEXT),
             Password(PASSWORD, f"Password of {ADMIN_USER}:", validator=NonEmpty(), confirm=False,
                      strength_hint=False),
             Entry(WORD, f"Type {CONFIRM_WORD}:", validator=NonEmpty())]

    def ok(values: Values) -> Mapping[str, str]:
        wrong = errors(ctx, values)
        if wrong:
            return wrong  # the dialog stays open, nothing was written
        node = ctx.node
        try:
            plan = plan_reset(node, list(ctx.engine.sections.values()), pristine_tree(node))
        except ResetError as exc:
            ui.info(TITLE, str(exc))
            return {}

        def done(ok: bool) -> None:
            journal(ADMIN_USER, "applied" if ok else "failed, rolled back")
            if ok:
                ui.info(TITLE, f"The configuration was reset ({len(plan.reset) + len(plan.removed)} files). "
                        "Restart the node so every service runs on its default settings.")
            ui.reload()

        ui.run_transaction(plan.transaction, done)
        return {}

    dialogs.open_form(FormSpec(TITLE, items, {PASSWORD: "", WORD: ""}, ok, ok_label="Reset"))
