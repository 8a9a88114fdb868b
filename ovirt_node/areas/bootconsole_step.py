"""The boot console's step: every entry's `console=` words in the boot menu replaced.

The menu is backed up by the transaction (`backs_up`) but not named in `touches`: it lives on
the EFI system partition, which the /config store does not persist (it persists itself)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.core.context import Context
from ovirt_node.core.esp import ESP, esp_mounted
from ovirt_node.core.grubcfg import edit_kernel_args
from ovirt_node.core.run import Runner
from ovirt_node.core.steps import write_file_atomic
from ovirt_node.core.transaction import Step, StepRun


@dataclass(frozen=True)
class SetKernelConsoles(Step):
    path: str
    consoles: tuple[str, ...]
    title: str = ""

    def __post_init__(self) -> None:
        if self.consoles:
            shown = " ".join(f"console={c}" for c in self.consoles)
            self._default_title(f"Boot with {shown} from the next boot on")
        else:
            self._default_title("Boot without a console= argument from the next boot on")

    def describe(self) -> str:
        return f"{self.title} (every entry of {self.path})"

    def needs_mounted(self) -> Sequence[str]:
        return (ESP,)  # the menu is on the ESP, mounted only while in use

    def backs_up(self, ctx: Context) -> Sequence[str]:
        return (self.path,)

    def _edit(self, args: list[str]) -> list[str]:
        # The consoles go where the first console= was (the last one named is /dev/console).
        kept = [a for a in args if not a.startswith("console=")]
        at = next((i for i, a in enumerate(args) if a.startswith("console=")), len(args))
        return [*kept[:at], *(f"console={c}" for c in self.consoles), *kept[at:]]

    def new_text(self, ctx: Context) -> str:
        return edit_kernel_args(ctx.root(self.path).read_text(), self._edit)

    def preview(self, ctx: Context) -> Mapping[str, str | None]:
        with esp_mounted(ctx.root, Runner()):
            return {self.path: self.new_text(ctx)}

    def apply(self, ctx: Context, run: StepRun) -> None:
        if ctx.runner.dry_run:
            return
        write_file_atomic(ctx.root(self.path), self.new_text(ctx).encode())
