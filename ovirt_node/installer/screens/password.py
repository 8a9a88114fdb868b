"""Password: the installed node's admin password, typed twice, with the system's strength
verdict, and "Caps Lock is on" when the console can tell (the keyboard LEDs of a Linux
virtual console). On an upgrade: the current admin password, checked against the installed
node's /etc/shadow, and an optional new one (set in the node's persisted configuration).
"""

from __future__ import annotations

import fcntl
import struct
import sys
from collections.abc import Sequence

from ovirt_node.areas.security import MIN_PASSWORD
from ovirt_node.core.valid import OneOf, Text
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.screen import Screen
from ovirt_node.ui.page import Item, Label, Notice, Password, Values

PASSWORD, CURRENT, NEW = "password", "current", "new"
#: linux/kd.h: read the keyboard LEDs; the Caps Lock bit.
KDGKBLED = 0x4B64
K_CAPSLOCK = 0x04


def caps_lock_on() -> bool | None:
    """The Caps Lock LED of the console on stdin; None when that is no Linux console."""
    try:
        raw = fcntl.ioctl(sys.stdin.fileno(), KDGKBLED, b"\0")
    except (OSError, ValueError):
        return None
    return bool(struct.unpack("B", raw[:1])[0] & K_CAPSLOCK)


def caps_notice(_values: Values) -> str:
    return "Caps Lock is on" if caps_lock_on() else ""


class AdminPassword(Screen):
    name = "password"
    title = "Password"
    help_text = (
        "The admin user's password on the installed node, typed twice. A weak one is named as "
        "such.")
    focus_key = PASSWORD

    def layout(self) -> Sequence[Item]:
        return [
            Label("The password of the admin user, who logs in to the node's setup screens."),
            Password(PASSWORD, "Password:", validator=Text(min_length=MIN_PASSWORD)),
            Notice(caps_notice),
        ]

    def initial(self) -> dict[str, str]:
        p = self.choices.password
        return {PASSWORD: p, f"{PASSWORD}.confirm": p}

    def blocked(self, values: Values) -> str:
        if self.choices.password_hash:
            return ""  # the answers file gave a hash: nothing to type
        return "" if values.get(PASSWORD) else "type the admin password (twice)"

    def commit(self, values: Values) -> Choices:
        return self.choices.with_(password=values.get(PASSWORD, ""))


class UpgradePassword(Screen):
    name = "upgrade_password"
    title = "Password"
    help_text = (
        "The installed node's current admin password, to prove the upgrade is wanted, and "
        "optionally a new one (empty: the password stays as it is).")
    focus_key = CURRENT

    def layout(self) -> Sequence[Item]:
        items: list[Item] = [
            Label("The installed node's current admin password, to prove this upgrade is wanted."),
            Password(CURRENT, "Current:", confirm=False, strength_hint=False),
            Notice(caps_notice),
            Label("A new admin password, if it should change with the upgrade (empty: keep it):"),
            Password(NEW, "New password:", validator=OneOf("", description="empty (keep the password)")
                     | Text(min_length=MIN_PASSWORD)),
        ]
        if self.installer.dry_run:
            shadow = self.installer.live("/etc/shadow")
            # Say so when there is nothing to check against: any typed password passes then.
            items.append(Label(f"(dry run: checked against {shadow})" if not self._unset() else
                               f"(dry run: {shadow} holds no admin password, so the current password is "
                               "not checked)"))
        return items

    def initial(self) -> dict[str, str]:
        new = self.choices.password
        return {CURRENT: self.choices.current_password, NEW: new, f"{NEW}.confirm": new}

    def _unset(self) -> bool:
        stored = self.installer.admin_hash()
        return not stored or stored.startswith(("!", "*"))

    def blocked(self, values: Values) -> str:
        if self._unset():
            return ""  # no password to prove: the admin cannot log in with one anyway
        return "" if values.get(CURRENT) else "type the current admin password"

    def verify(self, values: Values) -> str:
        if self._unset() or self.installer.check_admin_password(values.get(CURRENT, "")):
            return ""
        return "the current admin password is not correct"

    def commit(self, values: Values) -> Choices:
        return self.choices.with_(current_password=values.get(CURRENT, ""), password=values.get(NEW, ""))
