"""Storage sizes: the HostVG volumes in MiB. Root and RootBackup (the image slots) are shown,
not edited; Swap (empty: 3.x's formula from the memory), Config, Logging and Data (fill the
rest, none, or a size). The engine's own planner (`layout.plan`) says after every keystroke
how the volumes fit and what is left; while they do not fit, Continue is disabled with its
message (by how much the disks are too small).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ovirt_node.core.valid import Validator
from ovirt_node.installer.plan import sizes as S
from ovirt_node.installer.plan.layout import Layout, LayoutError, plan
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.screen import Screen
from ovirt_node.ui.page import Checkbox, Entry, Item, Label, Notice, Values

SWAP, CONFIG, LOGGING, FILL, DATA = "swap", "config", "logging", "data_fill", "data"


class WholeMiB(Validator):
    """A whole number of MiB, or empty where `optional`, or -1 (fill) where `fill`."""

    def __init__(self, optional: bool = False, fill: bool = False) -> None:
        self.optional, self.fill = optional, fill
        self.description = ("a whole number of MiB" + (" or empty" if optional else "")
                            + (f" or {S.FILL} (fill)" if fill else ""))

    def check(self, value: str) -> str | None:
        text = value.strip()
        if not text and self.optional:
            return None
        if self.fill and text == str(S.FILL):
            return None
        return None if text.isdigit() else f"must be {self.description}"


class StorageSizes(Screen):
    name = "sizes"
    title = "Storage sizes"
    help_text = (
        "The sizes of the node's volumes in MiB (swap, root, config, logging, data); the defaults "
        "fit the chosen disks.")
    focus_key = SWAP

    def layout(self) -> Sequence[Item]:
        swap_default = S.swap_size(self.installer.machine.memory_bytes, self.choices.sizes.overcommit)
        return [
            Notice(self._total),
            Label(f"Root, RootBackup: {self.choices.sizes.root} MiB each (the two image slots; not editable here)"),
            Entry(SWAP, "Swap (MiB):", validator=WholeMiB(optional=True),
                  help=f"empty: {swap_default} MiB from the memory (3.x's formula); 0: no swap"),
            Entry(CONFIG, "Config (MiB):", validator=WholeMiB(),
                  help=f"the persisted settings; at least {S.MIN_CONFIG}"),
            Entry(LOGGING, "Logging (MiB):", validator=WholeMiB(), help=f"/var/log; at least {S.MIN_LOGGING}"),
            Checkbox(FILL, "Data fills the rest"),
            # -1 as 3.x's storage_vol and the size error spell "fill"; the checkbox says it too.
            Entry(DATA, "Data (MiB):", validator=WholeMiB(fill=True), enabled_when=lambda v: v.get(FILL) != "yes",
                  help=f"/data: 0 for none, else at least {S.MIN_DATA}"),
            Notice(self._remaining),
        ]

    def sizes(self, values: Values) -> S.Sizes:
        """The sizes typed (fields that are not numbers yet keep the choices' value)."""
        old = self.choices.sizes

        def number(key: str, default: int) -> int:
            text = values.get(key, "").strip()
            return int(text) if text.isdigit() else default

        swap_text = values.get(SWAP, "").strip()
        swap = int(swap_text) if swap_text.isdigit() else None if not swap_text else old.swap
        fill = values.get(FILL) == "yes" or values.get(DATA, "").strip() == str(S.FILL)
        data = S.FILL if fill else number(DATA, 0 if old.data == S.FILL else old.data)
        return dataclasses.replace(old, swap=swap, config=number(CONFIG, old.config),
                                   logging=number(LOGGING, old.logging), data=data)

    def _layout(self, values: Values) -> Layout | str:
        machine = self.installer.machine
        disks = [d for d in (self.installer.disk_by_name(n) for n in self.choices.disks) if d is not None]
        try:
            return plan(machine, disks, self.sizes(values))
        except LayoutError as exc:
            return str(exc)

    def _total(self, _values: Values) -> str:
        disks = [d for d in (self.installer.disk_by_name(n) for n in self.choices.disks) if d is not None]
        total = sum(d.size_bytes for d in disks) // (1024 * 1024)
        return f"Disks: {len(disks)}, {total} MiB in all"

    def _remaining(self, values: Values) -> str:
        found = self._layout(values)
        if isinstance(found, str):
            return ""
        used = sum(v.size_mib for v in found.volumes if not v.fill)
        data = next((v for v in found.volumes if v.name == "Data"), None)
        left = found.vg_size_mib - used - (data.size_mib if data is not None and not data.fill else 0)
        if data is not None and data.fill:
            return f"HostVG {found.vg_size_mib} MiB: volumes {used} MiB, Data gets the rest ({data.size_mib} MiB)"
        return f"HostVG {found.vg_size_mib} MiB: volumes {found.vg_size_mib - left} MiB, {left} MiB left unused"

    def initial(self) -> dict[str, str]:
        s = self.choices.sizes
        return {SWAP: "" if s.swap is None else str(s.swap), CONFIG: str(s.config), LOGGING: str(s.logging),
                FILL: "yes" if s.data == S.FILL else "no", DATA: "" if s.data == S.FILL else str(s.data)}

    def blocked(self, values: Values) -> str:
        found = self._layout(values)
        return found if isinstance(found, str) else ""

    def commit(self, values: Values) -> Choices:
        return self.choices.with_(sizes=self.sizes(values))
