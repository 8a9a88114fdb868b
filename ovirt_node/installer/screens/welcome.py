"""Welcome: the product and media version, what is on the disks, the firmware and whether the
CPU can virtualize, and what can be done: install, or upgrade / downgrade / reinstall /
uninstall an installed node. An action that cannot go ahead (a major version mismatch) is
listed disabled with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

from ovirt_node.installer.plan.layout import VG_NAME
from ovirt_node.installer.screens.choices import Choices
from ovirt_node.installer.screens.screen import Screen
from ovirt_node.ui.page import Divider, Item, Label, Row, Table, Values

MODE_KEY = "mode"


class Welcome(Screen):
    name = "welcome"
    title = "Welcome"
    help_text = (
        "What to do with this machine: install the node, or upgrade, reinstall or uninstall an "
        "installed one. A choice that is not possible here is greyed, with the reason below.")
    focus_key = MODE_KEY

    def facts(self) -> list[str]:
        inst, machine = self.installer, self.installer.machine
        media = str(inst.image.version) if inst.image else f"unreadable ({inst.media_problem or 'none given'})"
        if not inst.has_node:
            found = "no node installed (no volume group HostVG)"
        elif inst.installed is None:
            found = f"{VG_NAME} found, but no installed image could be read"
        else:
            backup = f", backup slot: {inst.installed.backup.version}" if inst.installed.backup else ""
            found = f"{inst.installed.active.version}{backup}"
        virt = ("supported (Intel VT-x / AMD-V)" if machine.virt_hw else
                "NOT supported: the CPU has no vmx/svm, or it is off in the firmware; VMs will not run")
        lines = [f"Media:          {media}", f"Installed:      {found}",
                 f"Firmware:       {machine.firmware.upper()}",
                 f"Virtualization: {virt}"]
        if inst.dry_run:
            lines.append("DRY RUN: the plan is shown, nothing is written to any disk")
        return lines

    def layout(self) -> Sequence[Item]:
        actions = self.installer.actions()
        # The table has room for a word; the whole reason goes below it.
        rows = [Row(mode, label.split(" ", 1), enabled=not reason, reason="not possible, see below" if reason else "")
                for mode, label, reason in actions]
        return [*(Label(line) for line in self.facts()), Divider(),
                # Room for a row's reason on lines of its own: every choice shows whole.
                Table(MODE_KEY, "What to do:", columns=["Action", ""], rows=lambda _ctx: rows, height=3 * len(rows)),
                *(Label(f"{label.split(' ', 1)[0]} is not possible: {reason}") for _m, label, reason in actions
                  if reason)]

    def _usable(self) -> dict[str, str]:
        return {mode: reason for mode, _label, reason in self.installer.actions()}

    def initial(self) -> dict[str, str]:
        if self.choices.mode:  # an answer (or the way back): shown, refused with the reason if need be
            return {MODE_KEY: self.choices.mode}
        first = next((mode for mode, reason in self._usable().items() if not reason), "")
        return {MODE_KEY: first}

    def blocked(self, values: Values) -> str:
        mode = values.get(MODE_KEY, "")
        usable = self._usable()
        if mode not in usable:
            return "choose what to do" if not mode else f"{mode} is not possible here"
        return usable[mode]

    def commit(self, values: Values) -> Choices:
        return self.choices.with_(mode=values[MODE_KEY])
