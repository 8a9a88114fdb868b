"""Performance: the tuned profile, or "none" for no tuning.

The active profile is read back from tuned over D-Bus when runtime effects are possible and
tuned answers, else from /etc/tuned/active_profile under the root (tuned keeps it there). A
change goes to tuned's D-Bus API when a bus is named (`--bus`, the demo) and to `tuned-adm`
on the node itself (which talks to tuned); under a root prefix without a bus, tuned is not
running there, so its two state files are written instead: tuned applies them when it starts.
The profile chosen must be one tuned has (listed by tuned, `tuned-adm list`, or the profile
directories under the root).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.core.context import Context
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section
from ovirt_node.core.platform import detect
from ovirt_node.core.run import CommandError, run
from ovirt_node.core.steps import RunCommand, WriteFile
from ovirt_node.core.transaction import Step, StepRun
from ovirt_node.core.valid import OneOf, Regex
from ovirt_node.system.tuned_profiles import (
    ACTIVE_PROFILE,
    NAME_PATTERN,
    PROFILE_MODE,
    Profile,
    parse_tuned_adm_list,
    profiles_on_disk,
    read_active_file,
)

NONE = "none"  # no tuning (`tuned-adm off`)
_OFF_WORDS = frozenset({"none", "off", "no"})


@dataclass(frozen=True)
class PerformanceSettings:
    tuned_profile: str


def available_profiles(ctx: Context) -> list[Profile]:
    """tuned's own list when it answers, `tuned-adm list` on the node, else the files."""
    if ctx.runtime_effects:
        from ovirt_node.system.tuned import Tuned, TunedError  # D-Bus only when it can be used

        try:
            with Tuned.connect(ctx.bus) as tuned:
                return tuned.profiles()
        except TunedError:
            pass
        if ctx.root.is_host:
            try:
                listed, _active = parse_tuned_adm_list(run([detect(ctx.root).tool("tuned-adm"), "list"]).stdout)
            except CommandError:
                listed = []
            if listed:
                return listed
    return profiles_on_disk(ctx.root)


def active_profile(ctx: Context) -> str | None:
    """The active profile: a name, "" (off), or None when nothing says (tuned not installed)."""
    if ctx.runtime_effects:
        from ovirt_node.system.tuned import Tuned, TunedError

        try:
            with Tuned.connect(ctx.bus) as tuned:
                return tuned.active_profile()
        except TunedError:
            pass
    return read_active_file(ctx.root)


@dataclass(frozen=True)
class SwitchTunedProfile(Step):
    """Switch (or turn off) tuning through tuned's D-Bus API; switches back on rollback."""

    profile: str
    previous: str
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Switch tuned to the profile {self.profile}" if self.profile != NONE
                            else "Turn tuned's tuning off")

    def describe(self) -> str:
        return f"{self.title} (over tuned's D-Bus API)"

    def touches(self) -> Sequence[str]:
        return (ACTIVE_PROFILE, PROFILE_MODE)  # tuned writes them; they are persisted

    def skip_reason(self, ctx: Context) -> str | None:
        return ctx.runtime_skip_reason()

    def _switch(self, ctx: Context, profile: str) -> None:
        from ovirt_node.system.tuned import Tuned

        with Tuned.connect(ctx.bus) as tuned:
            if profile == NONE:
                tuned.disable()
            else:
                tuned.switch_profile(profile)

    def apply(self, ctx: Context, run: StepRun) -> None:
        self._switch(ctx, self.profile)
        if self.previous:  # only a switch that happened is undone (a refused one changed nothing)
            run.on_rollback(lambda: self._switch(ctx, self.previous))


class Performance(Section):
    name = "performance"
    title = "Performance"
    settings = PerformanceSettings
    keys = (
        Key("performance.tuned.profile", "OVIRT_TUNED_PROFILE",
            Regex(NAME_PATTERN, "a tuned profile name (e.g. virtual-host) or none"), Kind.TEXT, NONE,
            "tuned profile (none: no tuning)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        active = active_profile(ctx)
        if active is None:
            return {}
        return {"performance.tuned.profile": active or NONE}

    def check(self, ctx: Context, values: Mapping[str, str]) -> dict[str, str]:
        wanted = values.get("performance.tuned.profile", NONE)
        if wanted == NONE:
            return {}
        names = [p.name for p in available_profiles(ctx)]
        if wanted in names:
            return {}
        if not names:
            return {"performance.tuned.profile": "no tuned profiles are installed on this node; choose none"}
        choices = OneOf(NONE, *names).description
        return {"performance.tuned.profile": f"tuned has no profile {wanted!r}; it must be {choices}"}

    def plan(self, ctx: Context, old: PerformanceSettings, new: PerformanceSettings) -> Sequence[Step]:
        profile, previous = new.tuned_profile, old.tuned_profile
        if ctx.bus is not None:
            return [SwitchTunedProfile(profile, previous)]
        if ctx.runtime_effects:
            argv = [detect(ctx.root).tool("tuned-adm"), *(["off"] if profile == NONE else ["profile", profile])]
            title = "Turn tuned's tuning off" if profile == NONE else f"Switch tuned to the profile {profile}"
            return [RunCommand(title, argv, runtime=True, files=(ACTIVE_PROFILE, PROFILE_MODE))]
        active = "" if profile == NONE else profile
        return [
            WriteFile(ACTIVE_PROFILE, active + "\n", title="Set the tuned profile tuned applies when it starts"),
            WriteFile(PROFILE_MODE, "manual\n", title="Mark the tuned profile as chosen by hand"),
        ]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        def tuned(value: str | None) -> dict[str, str]:
            value = (value or "").strip()
            return {"performance.tuned.profile": NONE if value.lower() in _OFF_WORDS else value}

        return {"tuned": tuned}
