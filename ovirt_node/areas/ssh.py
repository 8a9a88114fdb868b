"""SSH: password authentication and port, written to sshd_config through our OvirtSshd lens
(core/lenses); the keys of the admin and root users (ssh_keys.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ovirt_node.areas.ssh_keys import NoSuchUser, account, read_keys
from ovirt_node.core.aug import Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section, changed_fields, switch_arg
from ovirt_node.core.sshkeys import SSHPublicKeys
from ovirt_node.core.valid import Boolean, Port

if TYPE_CHECKING:  # `ovirt-node-config get ssh.port` reads: the steps are imported by plan()
    from ovirt_node.core.transaction import Step

SSHD_CONFIG = LensFile("OvirtSshd", "/etc/ssh/sshd_config")
_NODE = files_node(SSHD_CONFIG.path)
_PORT = Port()


def reserved_port_warning(port: str) -> str:
    """3.x accepted only 22 or 1024 and up; the other ports are allowed now, with a warning
    (on the Security page and from `ovirt-node-config`)."""
    if not _PORT.is_valid(port) or int(port) == 22 or int(port) >= 1024:
        return ""
    return (f"port {int(port)} is in the reserved range (below 1024) and may belong to another service; "
            "22 or a port from 1024 up is the usual choice.")


@dataclass(frozen=True)
class SshSettings:
    pwauth: bool
    port: int
    authorized_keys: str
    root_authorized_keys: str


def set_global_option(aug: Augeas, option: str, value: str) -> None:
    """Set a top-level sshd option exactly once, before any Match block (options after a
    Match line would only apply inside it)."""
    aug.remove(f"{_NODE}/{option}[position() > 1]")
    if not aug.exists(f"{_NODE}/{option}") and aug.exists(f"{_NODE}/Match"):
        aug.insert(f"{_NODE}/Match[1]", option, before=True)
    aug.set(f"{_NODE}/{option}", value)


class Ssh(Section):
    name = "ssh"
    title = "SSH"
    settings = SshSettings
    lens_files = (SSHD_CONFIG,)
    keys = (
        Key("ssh.pwauth", "OVIRT_SSH_PWAUTH", Boolean(), Kind.BOOL, "no",
            "allow SSH logins with a password"),
        Key("ssh.port", "OVIRT_SSH_PORT", _PORT, Kind.INT, "22", "TCP port sshd listens on",
            warning=reserved_port_warning),
        Key("ssh.authorized_keys", None, SSHPublicKeys(), Kind.TEXT, "",
            "public keys that log in as admin without a password (TYPE BASE64 [comment], comma-separated)"),
        Key("ssh.root_authorized_keys", None, SSHPublicKeys(), Kind.TEXT, "",
            "public keys that log in as root without a password (empty: none)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        if not ctx.root(SSHD_CONFIG.path).exists():
            return {}
        pwauth = ctx.aug.get(f"{_NODE}/PasswordAuthentication")
        port = ctx.aug.get(f"{_NODE}/Port")
        # sshd's own defaults apply when the file says nothing.
        return {
            "ssh.pwauth": self.key("ssh.pwauth").canonical(pwauth) if pwauth else "yes",
            "ssh.port": port or "22",
            "ssh.authorized_keys": read_keys(ctx.root, "admin"),
            "ssh.root_authorized_keys": read_keys(ctx.root, "root"),
        }

    def plan(self, ctx: Context, old: SshSettings, new: SshSettings) -> Sequence[Step]:
        from ovirt_node.areas.ssh_keys_step import WriteAuthorizedKeys
        from ovirt_node.core.platform import detect
        from ovirt_node.core.steps import AugeasEdit, RestartUnit

        changed = changed_fields(old, new)

        def edit(aug: Augeas) -> None:
            if "pwauth" in changed:
                set_global_option(aug, "PasswordAuthentication", "yes" if new.pwauth else "no")
            if "port" in changed:
                set_global_option(aug, "Port", str(new.port))

        steps: list[Step] = []
        for field, user, key in (("authorized_keys", "admin", "ssh.authorized_keys"),
                                 ("root_authorized_keys", "root", "ssh.root_authorized_keys")):
            if field in changed:
                try:
                    owner = account(ctx.root, user)
                except NoSuchUser as exc:
                    raise ValueError(f"{key}: {exc}") from None
                steps.append(WriteAuthorizedKeys(owner, getattr(new, field), key))
        if changed & {"pwauth", "port"}:  # sshd reads the keys at each login: no restart for them
            steps += [AugeasEdit("Configure the SSH daemon", SSHD_CONFIG, edit),
                      RestartUnit(detect(ctx.root).unit("ssh"))]
        return steps

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {
            "ssh_pwauth": switch_arg("ssh_pwauth", {"ssh.pwauth": "yes"}, {"ssh.pwauth": "no"}),
            # sshkey="ssh-ed25519 AAAA... comment" (quoted: the key has blanks), or several with commas
            "sshkey": lambda v: {"ssh.authorized_keys": v or ""},
            "rootsshkey": lambda v: {"ssh.root_authorized_keys": v or ""},
        }
