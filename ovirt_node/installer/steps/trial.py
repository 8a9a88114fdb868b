"""The trial boot of a slot: what grub.cfg does with the grubenv, and the grubenv writes that
start, commit and clear a trial.

An upgrade (or a rollback) no longer moves `saved_entry`. It writes, in one `grub-editenv`
call (one write of the fixed 1024-byte block: a power cut leaves the old or the new block),

    saved_entry=slot-<running>  next_entry=slot-<new>  trial_left=1

grub.cfg then boots `next_entry` while `trial_left` counts down (grub has no arithmetic: the
script maps 3->2, 2->1, 1->0 and saves the new value before it boots), with `fallback` set
to `saved_entry` (taken when the trial entry cannot even be loaded). The trial entry's kernel
line gets `ovirt.trial=1 panic=N`: a panic reboots, and the initramfs reboots instead of
opening a shell. Once `trial_left` is 0 the next boot is `saved_entry` again: the old slot.
The node's health checks (boot/health.py) commit a good trial: `saved_entry=slot-<new>`, no
`next_entry`. A boot of the old slot with a trial still named clears it (the trial failed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.context import Context
from ovirt_node.core.platform import Platform
from ovirt_node.core.transaction import Step, StepRun

#: The kernel argument that tells the node (initramfs, health checks) it boots on trial.
TRIAL_ARG = "ovirt.trial=1"
#: Seconds a panicking trial kernel waits before it reboots (into the old slot).
PANIC_SECONDS = 10
#: How many boots a trial gets (one: a second try of an image that failed once is not worth
#: another outage). The script counts down from at most 3.
TRIAL_BOOTS = 1
MAX_TRIAL_BOOTS = 3
#: The grubenv's keys.
SAVED, NEXT, LEFT = "saved_entry", "next_entry", "trial_left"
#: What each entry appends to its kernel line: empty words unless it is the trial entry
#: (two variables, each one word: grub's splitting of an unquoted multi-word value is not
#: something to lean on).
TRIAL_ARG_VARS = "$ovirt_trial_arg $ovirt_panic_arg"


def trial_script() -> list[str]:
    """grub.cfg lines (inside the `if` that loaded the grubenv) that start a pending trial."""
    lines = ["  # A pending trial (ovirt-node upgrade or rollback): boot next_entry while trial_left",
             "  # counts down, saved (before booting) so a reset cannot retry it for ever.",
             "  set ovirt_trial=",
             '  if [ -n "$next_entry" ]; then']
    for left in range(MAX_TRIAL_BOOTS, 0, -1):
        keyword = "if" if left == MAX_TRIAL_BOOTS else "elif"
        lines += [f'    {keyword} [ "$trial_left" = {left} ]; then',
                  f"      set trial_left={left - 1}",
                  '      set ovirt_trial="$next_entry"']
    lines += ["    fi",
              '    if [ -n "$ovirt_trial" ]; then',
              "      if save_env --file $prefix/grubenv trial_left; then",
              '        set fallback="$default"',
              '        set default="$ovirt_trial"',
              "      else",
              "        set ovirt_trial=",
              "      fi",
              "    fi",
              "  fi",
              "  export ovirt_trial"]
    return lines


def trial_entry_lines(entry_id: str) -> list[str]:
    """The lines of a menu entry that add the trial's kernel arguments when it is the trial."""
    return ["  set ovirt_trial_arg=",
            "  set ovirt_panic_arg=",
            f"  if [ \"$ovirt_trial\" = '{entry_id}' ]; then",
            f"    set ovirt_trial_arg={TRIAL_ARG}",
            f"    set ovirt_panic_arg=panic={PANIC_SECONDS}",
            "  fi"]


def grubenv_path(platform: Platform, esp: Path) -> Path:
    return esp / platform.path("grub-dir") / "grubenv"


def parse_grubenv(text: str) -> dict[str, str]:
    """The variables of a grubenv block (`#` lines are the header and the padding)."""
    env = {}
    for line in text.splitlines():
        if line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        env[key] = value
    return env


def read_grubenv(platform: Platform, esp: Path) -> dict[str, str]:
    """The grubenv on the ESP mounted at `esp` (empty when there is none)."""
    try:
        return parse_grubenv(grubenv_path(platform, esp).read_text(errors="replace"))
    except OSError:
        return {}


def start_trial_command(platform: Platform, esp: Path, running: str, trial: str) -> list[str]:
    """One write: keep booting `running` by default, try `trial` (entry ids) next."""
    return [platform.tool("grub-editenv"), str(grubenv_path(platform, esp)), "set", f"{SAVED}={running}",
            f"{NEXT}={trial}", f"{LEFT}={TRIAL_BOOTS}"]


def commit_command(platform: Platform, esp: Path, entry: str) -> list[str]:
    """One write: `entry` is the default from now on, no trial pending."""
    return [platform.tool("grub-editenv"), str(grubenv_path(platform, esp)), "set", f"{SAVED}={entry}",
            f"{NEXT}=", f"{LEFT}=0"]


def clear_trial_command(platform: Platform, esp: Path) -> list[str]:
    """One write: forget a trial that failed (the default stays)."""
    return [platform.tool("grub-editenv"), str(grubenv_path(platform, esp)), "set", f"{NEXT}=", f"{LEFT}=0"]


@dataclass(frozen=True)
class Pending:
    """What the grubenv says about a trial."""

    saved: str | None
    trial: str | None
    left: int

    @classmethod
    def of(cls, env: dict[str, str]) -> Pending:
        left = env.get(LEFT, "0")
        return cls(env.get(SAVED) or None, env.get(NEXT) or None, int(left) if left.isdigit() else 0)


@dataclass(frozen=True)
class StartTrial(Step):
    """The last step of an upgrade or rollback: the next boot tries `trial` once; until the
    node commits it, `running` stays the default."""

    platform: Platform
    esp: Path
    running: str
    trial: str
    title: str = "Try the new slot at the next boot"

    def describe(self) -> str:
        return f"{self.title} ({self.trial.removeprefix('slot-')}; {self.running.removeprefix('slot-')} " \
               "stays the default until the node's health checks pass)"

    def plan(self) -> list[list[str]]:
        return [start_trial_command(self.platform, self.esp, self.running, self.trial)]

    def apply(self, ctx: Context, run: StepRun) -> None:
        for command in self.plan():
            ctx.runner(command)
