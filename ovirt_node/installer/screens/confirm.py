"""Confirm: what will happen, before anything does. The engine's plan for the choices: the
disks that will be erased (model, serial, size, by-id), the volumes and their sizes, warnings
(volume groups that will be removed, a small or missing Data volume), the steps; and for
anything that erases disks the word ERASE typed out, so no stray Enter destroys data.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.installer.image import ImageError
from ovirt_node.installer.plan import autoinstall
from ovirt_node.installer.plan.disks import DiskSelectionError, shown
from ovirt_node.installer.plan.layout import VG_NAME, LayoutError, Volume
from ovirt_node.installer.plan.sizes import SizeError
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.disks import size_text
from ovirt_node.installer.screens.screen import Screen
from ovirt_node.installer.screens.state import SMALL_DATA, Installer
from ovirt_node.system.machine.model import Disk
from ovirt_node.ui.page import Divider, Entry, Item, Label, PageContext, Values

WORD = "ERASE"
CONFIRM_KEY = "erase"
LABELS = {"install": "Install", "reinstall": "Reinstall", "uninstall": "Uninstall", "upgrade": "Upgrade",
          "downgrade": "Downgrade"}
PLAN_ERRORS = (autoinstall.InstallRefused, LayoutError, SizeError, DiskSelectionError, ImageError)


#: What a volume without a mount point holds.
HOLDS = {"Root": "the node image", "RootBackup": "the previous image (rollback, upgrades)"}


def mib_text(mib: int) -> str:
    return f"{mib} MiB" if mib < 1024 else f"{mib / 1024:.1f} GiB"


def volume_line(volume: Volume) -> str:
    """One volume as the plan makes it: name, size (the filling one: what is left), what it holds."""
    size = mib_text(volume.size_mib) + (" (the rest)" if volume.fill else "")
    where = volume.mount or ("swap" if volume.fs == "swap" else HOLDS.get(volume.name, ""))
    return f"  {volume.name:<11} {size:<20} {where}".rstrip()


def disk_line(disk: Disk) -> str:
    return (f"  {disk.path}  {disk.model or 'unknown model'}  serial {disk.serial or '-'}  "
            f"{size_text(disk.size_bytes)}")


class Confirm(Screen):
    name = "confirm"
    title = "Confirm"
    help_text = (
        "What will happen, disk by disk: read it, then Install (or Upgrade/Reinstall/Remove) "
        "starts it. Back changes a choice.")
    focus_key = CONFIRM_KEY

    def __init__(self, ctx: PageContext, installer: Installer, choices: Choices) -> None:
        super().__init__(ctx, installer, choices)
        self.continue_label = LABELS[choices.mode]
        self.plan: autoinstall.Plan | None = None
        self.error = ""
        try:
            self.plan = installer.plan(choices)
        except PLAN_ERRORS as exc:
            self.error = str(exc)

    @property
    def destructive(self) -> bool:
        return self.choices.mode in ("install", "reinstall", "uninstall")

    def erased(self) -> list[Disk]:
        if self.plan is not None and self.plan.layout is not None:
            return list(self.plan.layout.disks)
        if self.choices.mode == "uninstall":
            names = autoinstall.node_disks(self.installer.machine)
            return [d for d in shown(self.installer.machine) if d.name in names]
        return []

    def warnings(self) -> list[str]:
        found = []
        layout = self.plan.layout if self.plan is not None else None
        if layout is not None:
            for vg in layout.old_volume_groups:
                found.append(f"the volume group {vg} on these disks will be removed with everything in it")
            data = next((v for v in layout.volumes if v.name == "Data"), None)
            if data is None:
                found.append("no Data volume: virtual machines need storage elsewhere")
            elif data.size_mib < SMALL_DATA:
                found.append(f"the Data volume is small ({data.size_mib} MiB)")
        if self.choices.mode == "reinstall":
            found.append("the node's configuration is lost")
        return found

    def layout(self) -> Sequence[Item]:
        if self.plan is None:
            return [Label("This cannot be done:"), Label(self.error)]
        items: list[Item] = [Label(self.plan.transaction.title)]
        erased = self.erased()
        if erased:
            items += [Label("These disks will be ERASED:"), *(Label(disk_line(d)) for d in erased)]
        layout = self.plan.layout
        if layout is not None:
            items += [Label(f"Volumes (volume group {VG_NAME}, {mib_text(layout.vg_size_mib)}):"),
                      *(Label(volume_line(v)) for v in layout.volumes)]
        if self.choices.mode in ("upgrade", "downgrade"):
            items.append(Label("The new image goes into the other slot; configuration and data stay."))
        items += [Label(f"Warning: {w}") for w in self.warnings()]
        if self.destructive:
            items.append(Entry(CONFIRM_KEY, f"Type {WORD}:", help=f"type {WORD}: these disks are erased"))
        items += [Divider(), Label("Steps:")]
        items += [Label(f"  {n}. {s.title}") for n, s in enumerate(self.plan.transaction.steps, 1)]
        return items

    def blocked(self, values: Values) -> str:
        if self.plan is None:
            return self.error.splitlines()[0]
        if self.destructive and values.get(CONFIRM_KEY, "").strip() != WORD:
            return f"type {WORD} to go ahead"
        return ""

    def initial(self) -> dict[str, str]:
        return {CONFIRM_KEY: WORD} if self.choices.confirmed and self.destructive else {}
