"""The Remote Storage page: the iSCSI initiator name and the NFSv4 ID-mapping domain."""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.pages import REMOTE_STORAGE
from ovirt_node.ui.page import Divider, Entry, Item, Label, Page


class RemoteStoragePage(Page):
    name, title, rank = REMOTE_STORAGE.name, REMOTE_STORAGE.title, REMOTE_STORAGE.rank
    help_text = (
        "How the node names itself to iSCSI targets (the initiator name) and the NFSv4 ID-mapping "
        "domain (empty: the host's DNS domain).")

    def layout(self) -> Sequence[Item]:
        return [
            Label("How this node names itself to iSCSI targets (from /etc/iscsi/initiatorname.iscsi)."),
            Divider(),
            Entry("iscsi.initiator_name", "Initiator name:",
                  help="Format: iqn.YYYY-MM.reversed.domain[:id] or eui.<16 hex>"),
            Divider(),
            Label("The NFSv4 ID-mapping domain (/etc/idmapd.conf); empty uses the host's DNS domain."),
            Divider(),
            Entry("nfsv4.domain", "NFSv4 domain:", help="a domain name such as example.com, or empty"),
        ]
