"""A stack of dialogs over an application's screen, and the PageUI calls that open them (info,
confirm, show_text): shared by the setup TUI and the installer, which differ only in what
they redraw around the stack (`_refresh_chrome`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ovirt_node.ui.dialogs import Dialog
    from ovirt_node.ui.palette import Style

log = logging.getLogger(__name__)


class DialogHost:
    style: Style
    dialogs: list[Dialog]

    def _refresh_chrome(self) -> None:
        raise NotImplementedError

    def open_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(dialog)
        log.info("dialog: %s", dialog.title)
        self._refresh_chrome()

    def close_dialog(self, dialog: Dialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
        self._refresh_chrome()

    # The dialog modules load on first use: the setup TUI draws its first screen without them.

    def info(self, title: str, text: str) -> None:
        from ovirt_node.ui.dialogs import InfoDialog

        self.open_dialog(InfoDialog(title, text, self.style, self.close_dialog))

    def confirm(self, title: str, text: str, on_yes: Callable[[], None]) -> None:
        from ovirt_node.ui.dialogs import ConfirmDialog

        self.open_dialog(ConfirmDialog(title, text, on_yes, self.style, self.close_dialog))

    def show_text(self, title: str, text: str, *, at_end: bool = False) -> None:
        from ovirt_node.ui.dialogs import TextDialog

        self.open_dialog(TextDialog(title, text, self.style, self.close_dialog, at_end=at_end))
