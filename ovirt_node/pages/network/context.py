"""What the Network page's buttons and dialogs share: the page context and the page's UI (its
form holds the pending connections), shared by the page and its dialogs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from ovirt_node.core.namedtuple import NamedTuple
from ovirt_node.ui.page import DialogUI, FormUI, PageContext, PageUI

if TYPE_CHECKING:
    from ovirt_node.network.model import Network

INTERFACES, MANAGEMENT = "network.interfaces", "network.bootif"


class NetworkUI(FormUI, DialogUI, Protocol):
    """What the page's handlers get: its form (the pending connections) and its dialogs."""


class NetworkContext(NamedTuple):
    """What the page's buttons and dialogs work with: the page context and the page's UI."""

    page: PageContext
    ui: NetworkUI

    @classmethod
    def of(cls, page: PageContext, ui: PageUI) -> NetworkContext:
        # Handlers get a PageUI by the page API; the application and FakeUI are NetworkUIs.
        return cls(page, cast(NetworkUI, ui))

    def pending(self) -> Network:
        """The connections as the page has them now (saved or not)."""
        from ovirt_node.network.model import network_from_text

        return network_from_text(self.ui.values().get(INTERFACES, ""))

    def management(self) -> str:
        return self.ui.values().get(MANAGEMENT, "")

    def set_pending(self, network: Network, management: str | None = None) -> None:
        from ovirt_node.network.model import format_spec

        self.ui.set_value(INTERFACES, format_spec(network))
        if management is not None:
            self.ui.set_value(MANAGEMENT, management)

    def nic_names(self) -> list[str]:
        return [n.name for n in self.page.machine.physical_nics()]
