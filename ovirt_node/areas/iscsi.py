"""iSCSI: the initiator name this node logs in to storage with.

Read from and written to `/etc/iscsi/initiatorname.iscsi` through the stock Shellvars lens
(augeas-lenses has no lens of its own for it; the file is `Name=value` lines and comments,
which Shellvars keeps as they are). open-iscsi reads the value verbatim, so it is written
unquoted, and only names made of RFC 3722 characters are accepted. A Debian
`GenerateName=yes` line is removed with it: open-iscsi would otherwise replace the name with
a generated one when iscsid next starts.

Key names: 3.x stored the name under two keys, `OVIRT_ISCSI_NODE_NAME` (its config layer,
the setup TUI and ovirt-node-config) and `OVIRT_ISCSI_NAME` (ovirt-early, from the
`iscsi_name=` kernel argument). This section writes `OVIRT_ISCSI_NODE_NAME` only, reads
`OVIRT_ISCSI_NAME` when that is absent, and removes the old key once it writes the new one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ovirt_node.core.aug import SHELL_VARS, Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.defaults import unquote
from ovirt_node.core.model import KernelArgHandler, Key, Section
from ovirt_node.core.valid import IQN, Regex

if TYPE_CHECKING:  # a read (`ovirt-node-config get iscsi.initiator_name`) imports no steps: plan() does
    from ovirt_node.core.transaction import Step

INITIATOR_FILE = LensFile(SHELL_VARS, "/etc/iscsi/initiatorname.iscsi")
_NODE = files_node(INITIATOR_FILE.path)

#: RFC 3722 leaves letters, digits, '-', '.' and ':' in an iSCSI name; anything else would
#: also need quoting, which open-iscsi does not undo.
ISCSI_NAME = IQN() & Regex(r"[A-Za-z0-9.:-]+", "an iSCSI name of letters, digits, '.', '-' and ':' only")


@dataclass(frozen=True)
class IscsiSettings:
    initiator_name: str


def write_initiator_name(aug: Augeas, name: str) -> None:
    aug.remove(f"{_NODE}/GenerateName")
    aug.set(f"{_NODE}/InitiatorName", name)


class Iscsi(Section):
    name = "iscsi"
    title = "iSCSI"
    settings = IscsiSettings
    lens_files = (INITIATOR_FILE,)
    keys = (
        Key("iscsi.initiator_name", "OVIRT_ISCSI_NODE_NAME", ISCSI_NAME, legacy=("OVIRT_ISCSI_NAME",),
            help="iSCSI initiator name (iqn.YYYY-MM.reversed.domain[:id] or eui. and 16 hex digits)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        if not ctx.root(INITIATOR_FILE.path).exists():
            return {}
        raw = ctx.aug.get(f"{_NODE}/InitiatorName")
        return {"iscsi.initiator_name": unquote(raw) if raw else None}

    def plan(self, ctx: Context, old: IscsiSettings, new: IscsiSettings) -> Sequence[Step]:
        from ovirt_node.core.platform import detect
        from ovirt_node.core.steps import AugeasEdit, RestartUnit

        return [
            AugeasEdit("Set the iSCSI initiator name", INITIATOR_FILE,
                       lambda aug: write_initiator_name(aug, new.initiator_name)),
            RestartUnit(detect(ctx.root).unit("iscsid")),
        ]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {"iscsi_name": lambda v: {"iscsi.initiator_name": v or ""}}
