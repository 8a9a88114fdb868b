"""Password screens: the new admin password (twice, strength hint, Caps Lock warning) and,
on an upgrade, the current one checked against the installed node's shadow."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.installer.screens import password as password_screen
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.password import CURRENT, NEW, PASSWORD, AdminPassword, UpgradePassword
from tests.install_ui_helpers import ScreenHarness, installer, shadow_root


def test_new_password_typed_twice() -> None:
    h = ScreenHarness(AdminPassword, installer("demo"), Choices(mode="install"))
    assert h.focused_key() == PASSWORD
    assert not h.can_continue and h.reason == "type the admin password (twice)"
    h.type(PASSWORD, "abc")
    assert "at least 5" in h.reason
    h.type(PASSWORD, "correct horse battery", confirm="correct horse")
    assert not h.can_continue and "must match" in h.reason
    assert "Strength:" in h.text()
    h.type(PASSWORD, "correct horse battery")
    assert h.can_continue
    assert h.press_continue() == Choices(mode="install", password="correct horse battery")


def test_caps_lock_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(password_screen, "caps_lock_on", lambda: True)
    h = ScreenHarness(AdminPassword, installer("demo"))
    assert "Caps Lock is on" in h.text()
    monkeypatch.setattr(password_screen, "caps_lock_on", lambda: False)
    h.type(PASSWORD, "x")
    assert "Caps Lock is on" not in h.text()


def test_caps_lock_is_unknown_off_a_console() -> None:
    assert password_screen.caps_lock_on() is None  # pytest's stdin is no virtual console


def test_a_hash_from_the_answers_file_needs_no_typing() -> None:
    h = ScreenHarness(AdminPassword, installer("demo"), Choices(password_hash="$6$x$" + "a" * 86))
    assert h.can_continue


def test_upgrade_checks_the_current_password(tmp_path: Path) -> None:
    inst = installer("hazards", shadow_root(tmp_path, "old-secret"), installed="4.4.0-1")
    h = ScreenHarness(UpgradePassword, inst, Choices(mode="upgrade"))
    assert h.focused_key() == CURRENT
    assert not h.can_continue and h.reason == "type the current admin password"
    assert "(dry run: checked against" in h.text()
    h.type(CURRENT, "wrong-secret")
    assert h.can_continue  # the check is made on Continue (crypt takes its time)
    assert h.press_continue() is None
    assert "the current admin password is not correct" in h.text()
    h.type(CURRENT, "old-secret")
    h.type(NEW, "new-secret-2", confirm="new-secret-3")
    assert not h.can_continue and "must match" in h.reason
    h.type(NEW, "abc")
    assert "at least 5" in h.reason
    h.type(NEW, "new-secret-2")
    assert h.press_continue() == Choices(mode="upgrade", current_password="old-secret", password="new-secret-2")


def test_upgrade_keeps_the_password_when_no_new_one_is_typed(tmp_path: Path) -> None:
    inst = installer("hazards", shadow_root(tmp_path, "old-secret"), installed="4.4.0-1")
    h = ScreenHarness(UpgradePassword, inst, Choices(mode="upgrade"))
    h.type(CURRENT, "old-secret")
    assert h.press_continue() == Choices(mode="upgrade", current_password="old-secret")


def test_upgrade_of_a_node_without_admin_password_asks_nothing() -> None:
    h = ScreenHarness(UpgradePassword, installer("hazards", installed="4.4.0-1"), Choices(mode="upgrade"))
    assert h.can_continue  # the demo root's admin is locked ("!"): nothing to prove
    # The screen says plainly that a dry run has nothing to check the password against.
    assert "holds no admin password, so the current password is not checked" in " ".join(h.text().split())
    assert "checked against" not in h.text()


def test_the_focus_never_rests_on_the_greyed_continue() -> None:
    """Tab (focus_buttons) goes to Continue only while it can be pressed; otherwise to a live
    button, which shows its highlight. Continue greyed again under the focus hands it on."""
    h = ScreenHarness(AdminPassword, installer("demo"), Choices(mode="install"))
    view = h.view
    assert not h.can_continue
    view.focus_buttons()
    focused = (view.back, view.next, view.quit)[view.buttons.focus_position]
    assert focused is not view.next and focused.enabled
    h.type(PASSWORD, "correct horse battery")
    view.focus_buttons()
    assert (view.back, view.next, view.quit)[view.buttons.focus_position] is view.next
    h.type(PASSWORD, "")  # Continue goes grey under the focus
    now = [w for w in (view.back, view.next, view.quit) if view.pile.focus_position == 3
           and (view.back, view.next, view.quit)[view.buttons.focus_position] is w]
    assert now != [view.next]
