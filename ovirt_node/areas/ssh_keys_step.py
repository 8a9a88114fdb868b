"""The step that writes a user's authorized_keys (ssh_keys.py says why it is written so);
apart from the reading, so that `ovirt-node-config get` does not import the steps."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ovirt_node.areas.ssh_keys import Account
from ovirt_node.core.context import Context
from ovirt_node.core.sshkeys import split_keys
from ovirt_node.core.steps import write_file_atomic
from ovirt_node.core.transaction import Step, StepRun

HEADER = "# {user}'s SSH keys, set by ovirt-node ({key}): edits here are replaced on its next change\n"


@dataclass(frozen=True)
class WriteAuthorizedKeys(Step):
    account: Account
    keys: str
    key_name: str
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Write the SSH keys of {self.account.user}")

    def touches(self) -> tuple[str, ...]:
        return (self.account.keys_file,)

    def content(self) -> str:
        return HEADER.format(user=self.account.user, key=self.key_name) + "".join(
            f"{key}\n" for key in split_keys(self.keys))

    def preview(self, ctx: Context) -> dict[str, str | None]:
        return {self.account.keys_file: self.content()}

    def apply(self, ctx: Context, run: StepRun) -> None:
        target = ctx.root(self.account.keys_file)
        owner = (self.account.uid, self.account.gid)
        if not target.parent.exists():
            target.parent.mkdir(mode=0o700, parents=True)
            os.chown(target.parent, *owner)
        write_file_atomic(target, self.content().encode(), 0o600, owner)
