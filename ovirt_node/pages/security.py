"""The Security page: SSH access, sshd's random number and AES-NI settings, the admin password.

Every field is an engine key, so Save is the engine's plan: sshd_config and sshd's environment
file through Augeas, the password through `chpasswd` (stdin), then one restart of sshd.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.pages import SECURITY
from ovirt_node.ui.page import (
    Checkbox,
    Divider,
    Entry,
    Item,
    KeyValue,
    Label,
    Notice,
    Page,
    PageContext,
    Password,
    key_warning,
)


def _account(ctx: PageContext) -> str:
    from ovirt_node.system.accounts import ADMIN_USER, password_state

    return password_state(ctx.root, ADMIN_USER).summary()


class SecurityPage(Page):
    name, title, rank = SECURITY.name, SECURITY.title, SECURITY.rank
    help_text = (
        "Remote access (SSH password logins, port, the admin's keys), the strong random number "
        "generator for sshd, AES-NI, and the admin user's password.\n"
        "A new password is typed twice; a weak one is named as such but not refused.")

    def layout(self) -> Sequence[Item]:
        from ovirt_node.system.accounts import ADMIN_USER

        return [
            Label("Remote access"),
            Checkbox("ssh.pwauth", "Enable SSH password authentication"),
            Entry("ssh.port", "SSH port:"),
            Notice(key_warning(self.ctx, "ssh.port")),
            Entry("ssh.authorized_keys", "SSH keys (admin):",
                  help="Public keys that log in as admin without a password: TYPE BASE64 [comment], "
                       "several separated by commas; empty removes them"),
            Divider(),
            Label("Strong random number generator (sshd)"),
            Entry("security.strong_rng", "Bytes used:",
                  help="Bytes sshd reads from /dev/random to reseed; 0 turns it off (14 to 1024)"),
            Checkbox("security.disable_aes_ni", "Disable AES-NI"),
            Divider(),
            Label(f"Password of the {ADMIN_USER} user"),
            KeyValue("Account", _account),
            Password("security.admin_password", "New password:",
                     help="Leave empty to keep the password; it is set with chpasswd and never stored"),
        ]
