"""Boot device and Data devices: the machine's disks in a table filled by a worker (bus,
model, serial, size, by-id path), the focused disk's details below. The boot media and every
disk the engine would refuse are listed disabled with the reason; "Other device" takes a
path (by-id or /dev) for a disk the table does not show the way the operator knows it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.installer.plan import disks as engine_disks
from ovirt_node.installer.plan.autoinstall import node_disks
from ovirt_node.installer.plan.layout import VG_NAME
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.screen import Screen
from ovirt_node.system.machine.model import Disk
from ovirt_node.ui.page import Entry, Item, Label, PageContext, Row, Table, Values

BOOT_KEY = "boot"
OTHER_KEY = "other"
DATA_KEY = "data"
GIB = 1024**3


def size_text(size_bytes: int) -> str:
    return f"{size_bytes / GIB:.1f} GiB"


def disk_details(disk: Disk, reasons: Sequence[str]) -> str:
    facts = [f"{disk.path}: {disk.vendor or ''} {disk.model or 'unknown model'}".replace("  ", " "),
             f"serial {disk.serial or '-'}, {size_text(disk.size_bytes)}, bus {disk.bus}"
             f"{', removable' if disk.removable else ''}{', SSD' if not disk.rotational else ''}",
             f"by-id: {disk.by_id or '(none)'}"]
    if disk.signatures:
        facts.append("holds: " + ", ".join(disk.signatures))
    facts += [f"cannot be used: {r}" for r in reasons]
    return "\n".join(facts)


class DiskScreen(Screen):
    """What the two disk screens share: the rows, the details, the safety rules."""

    def rows(self, _ctx: PageContext) -> list[Row]:
        found = []
        for disk, reasons in self.installer.disk_rows(self.choices.wipe_fakeraid):
            # The by-id path does not fit in 80 columns beside the rest: the details show it.
            cells = [disk.name, disk.bus, disk.model or "-", disk.serial or "-", size_text(disk.size_bytes)]
            reason = _short(reasons[0], disk) if reasons else ""
            found.append(Row(self.installer.stable_name(disk), cells, enabled=not reasons, reason=reason))
        return found

    def table(self, key: str, label: str, multi: bool) -> Table:
        shown = engine_disks.shown(self.installer.machine)
        return Table(key, label, columns=["Disk", "Bus", "Model", "Serial", "Size"],
                     rows=self.rows, multi=multi, height=min(8, max(1, len(shown))))

    def details(self, key: str, value: str) -> str:
        disk = self.installer.disk_by_name(value)
        if disk is None:
            return ""
        return disk_details(disk, engine_disks.own_refusals(self.installer.machine, disk, self.choices.wipe_fakeraid))

    def unusable(self, names: Sequence[str], whole: bool = True) -> str:
        """Why the disks named cannot be installed on together ("" when they can); without
        `whole`, only what rules each disk out by itself (more disks come on the next screen)."""
        chosen: list[Disk] = []
        for name in names:
            disk = self.installer.disk_by_name(name)
            if disk is None:
                return f"no disk {name} on this machine"
            chosen.append(disk)
        machine = self.installer.machine
        if not whole:
            reasons = [r for d in chosen for r in engine_disks.own_refusals(machine, d, self.choices.wipe_fakeraid)]
            return reasons[0] if reasons else ""
        reasons = engine_disks.refusals(machine, chosen, self.choices.wipe_fakeraid)
        left = sorted(set(node_disks(machine)) - {d.name for d in chosen})
        if left and not reasons:
            reasons.append(f"the installed node's {VG_NAME} is also on {', '.join(left)}: select it too")
        return reasons[0] if reasons else ""


def _short(reason: str, disk: Disk) -> str:
    """The table's reason without the disk's name, which the row already shows."""
    label = engine_disks.describe(disk)
    return reason[len(label):].lstrip(": ") if reason.startswith(label) else reason


class BootDevice(DiskScreen):
    name = "boot"
    title = "Boot device"
    focus_key = BOOT_KEY

    def layout(self) -> Sequence[Item]:
        return [
            Label("The node boots from this disk; everything on it will be erased."),
            self.table(BOOT_KEY, "Disk:", multi=False),
            Entry(OTHER_KEY, "Other device:", help="a /dev/disk/by-id/... or /dev/... path; it overrides the table"),
        ]

    def chosen(self, values: Values) -> str:
        other = values.get(OTHER_KEY, "").strip()
        if other:
            disk = self.installer.disk_by_name(other)
            return self.installer.stable_name(disk) if disk else other
        return values.get(BOOT_KEY, "")

    def initial(self) -> dict[str, str]:
        if self.choices.disks:
            first = self.choices.disks[0]
            in_table = any(first == self.installer.stable_name(d) for d, _ in self.installer.disk_rows())
            return {BOOT_KEY: first} if in_table else {OTHER_KEY: first}
        usable = [self.installer.stable_name(d) for d, reasons in self.installer.disk_rows() if not reasons]
        return {BOOT_KEY: usable[0]} if usable else {}

    def blocked(self, values: Values) -> str:
        name = self.chosen(values)
        if not name:
            return "choose the boot disk"
        return self.unusable([name], whole=False)

    def commit(self, values: Values) -> Choices:
        boot = self.chosen(values)
        rest = tuple(d for d in self.choices.disks[1:] if d != boot)
        return self.choices.with_(disks=(boot, *rest))


class DataDevices(DiskScreen):
    name = "data"
    title = "Data devices"
    focus_key = DATA_KEY

    def layout(self) -> Sequence[Item]:
        return [
            Label("HostVG spans these disks (the boot disk always); everything on them will be erased."),
            self.table(DATA_KEY, "Disks:", multi=True),
        ]

    def _boot(self) -> str:
        return self.choices.disks[0] if self.choices.disks else ""

    def selected(self, values: Values) -> list[str]:
        picked = [v for v in values.get(DATA_KEY, "").split(",") if v]
        boot = self._boot()
        return [boot, *(v for v in picked if v != boot)] if boot else picked

    def initial(self) -> dict[str, str]:
        return {DATA_KEY: ",".join(self.choices.disks)}

    def blocked(self, values: Values) -> str:
        boot = self._boot()
        if boot and boot not in values.get(DATA_KEY, "").split(","):
            return f"the boot disk {boot} is always part of HostVG: keep it selected"
        return self.unusable(self.selected(values))

    def commit(self, values: Values) -> Choices:
        return self.choices.with_(disks=tuple(self.selected(values)))
