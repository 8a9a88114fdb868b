"""The reset dialog's checks: the admin's password against /etc/shadow's hash (the demo node
also takes its lock screen's "demo") and RESET typed; each wrong answer names its field."""

from __future__ import annotations

from pathlib import Path

from ovirt_node.areas.registry import all_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.pages.reset_dialog import PASSWORD, WORD, errors
from ovirt_node.system.accounts import crypt
from ovirt_node.system.machine.profile import load_profile, profile_path
from ovirt_node.ui.page import PageContext


def context(root: Path, demo: bool) -> PageContext:
    engine = Engine(Context(root=Root.at(root)), all_sections())
    return PageContext(engine, load_profile(profile_path("demo")), Root.at(root), demo=demo)


def set_admin_password(root: Path, password: str) -> None:
    shadow = root / "etc/shadow"
    hashed = crypt(password, "$6$uitestsalt$")
    shadow.write_text("".join(f"admin:{hashed}:20000:0:99999:7:::\n" if line.startswith("admin:") else line + "\n"
                              for line in shadow.read_text().splitlines()))


def test_the_password_is_checked_against_the_shadow_hash(node_root: Path) -> None:
    set_admin_password(node_root, "Right-pw 1")
    ctx = context(node_root, demo=False)
    assert errors(ctx, {PASSWORD: "Right-pw 1", WORD: "RESET"}) == {}
    assert errors(ctx, {PASSWORD: "right-pw 1", WORD: "RESET"}) == {PASSWORD: "not the password of admin"}
    assert errors(ctx, {PASSWORD: "demo", WORD: "RESET"}) == {PASSWORD: "not the password of admin"}
    assert errors(ctx, {PASSWORD: "Right-pw 1", WORD: "reset"}) == {WORD: "type RESET (in capitals) to confirm"}
    assert errors(ctx, {PASSWORD: "", WORD: ""}) == {PASSWORD: "not the password of admin",
                                                    WORD: "type RESET (in capitals) to confirm"}


def test_a_locked_admin_never_matches_but_the_demo_takes_demo(node_root: Path) -> None:
    # The demo tree's admin is locked ("!"): no password is its, on a real node.
    assert errors(context(node_root, demo=False), {PASSWORD: "demo", WORD: "RESET"}) == {
        PASSWORD: "not the password of admin"}
    assert errors(context(node_root, demo=True), {PASSWORD: "demo", WORD: "RESET"}) == {}
