"""Keyboard: the console keymap, kept in /etc/vconsole.conf (`KEYMAP=`).

Set through localed's SetVConsoleKeyboard over D-Bus whenever runtime effects are possible
(localed writes vconsole.conf itself, replacing it by rename, so the file is persisted as a
copy, `persist.COPIED`; it then restarts systemd-vconsole-setup, which loads the keymap:
the image ships its own such unit, Debian's systemd has none); under a root prefix without a bus
the file is written through Augeas (Shellvars lens). Read back from the file either way. The
keymap must be installed on the node (`ovirt_node.system.keymaps`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.core.aug import SHELL_VARS, Augeas, LensFile, files_node
from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section
from ovirt_node.core.platform import detect
from ovirt_node.core.steps import AugeasEdit
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.core.valid import Regex
from ovirt_node.system.keymaps import NAME_PATTERN, Keymap, list_keymaps

VCONSOLE = LensFile(SHELL_VARS, "/etc/vconsole.conf")
_NODE = files_node(VCONSOLE.path)
DEFAULT_KEYMAP = "us"  # what systemd-vconsole-setup loads when vconsole.conf names none


def available_keymaps(ctx: Context) -> list[Keymap]:
    return list_keymaps(ctx.root, detect(ctx.root).tool("localectl"))


@dataclass(frozen=True)
class KeyboardSettings:
    keymap: str


@dataclass(frozen=True)
class SetConsoleKeymap(Step):
    """localed's SetVConsoleKeyboard (the toggle keymap kept); the old keymap back on rollback."""

    keymap: str
    previous: str
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Set the console keymap to {self.keymap}")

    def describe(self) -> str:
        return f"{self.title} (localed over D-Bus)"

    def touches(self) -> Sequence[str]:
        return (VCONSOLE.path,)  # localed writes it; it is persisted

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason()

    def _set(self, ctx: Context, keymap: str) -> None:
        from ovirt_node.system.localed import Localed

        with Localed.connect(ctx.bus) as localed:
            localed.set_vconsole_keyboard(keymap, localed.vconsole_toggle())

    def apply(self, ctx: Context, run: StepRun) -> None:
        self._set(ctx, self.keymap)
        if self.previous:  # only a switch that happened is undone (a refused one changed nothing)
            run.on_rollback(lambda: self._set(ctx, self.previous))


class Keyboard(Section):
    name = "keyboard"
    title = "Keyboard"
    settings = KeyboardSettings
    lens_files = (VCONSOLE,)
    keys = (
        Key("keyboard.keymap", "OVIRT_KEYBOARD_LAYOUT", Regex(NAME_PATTERN, "a console keymap name (e.g. de-latin1)"),
            Kind.TEXT, DEFAULT_KEYMAP, "console keymap (localectl list-keymaps shows them)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        if not ctx.root(VCONSOLE.path).exists():
            return {}
        keymap = (ctx.aug.get(f"{_NODE}/KEYMAP") or "").strip("\"'")
        return {"keyboard.keymap": keymap or DEFAULT_KEYMAP}

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        wanted = values.get("keyboard.keymap", DEFAULT_KEYMAP)
        if wanted in {k.name for k in available_keymaps(ctx)}:
            return {}
        return {"keyboard.keymap": f"no keymap {wanted!r} is installed on this node"}

    def plan(self, ctx: Context, old: KeyboardSettings, new: KeyboardSettings) -> Sequence[Step]:
        if ctx.runtime_effects:
            return [SetConsoleKeymap(new.keymap, old.keymap)]

        def edit(aug: Augeas) -> None:
            aug.set(f"{_NODE}/KEYMAP", new.keymap)

        return [AugeasEdit("Set the console keymap", VCONSOLE, edit)]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {"keyboard": lambda v: {"keyboard.keymap": (v or "").strip()}}
