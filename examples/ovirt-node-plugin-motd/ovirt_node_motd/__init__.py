"""Example plugin: the login message (/etc/motd) as a config key and a setup page."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ovirt_node.api import (
    Context,
    Divider,
    Entry,
    Item,
    KernelArgHandler,
    Key,
    KeyValue,
    Kind,
    Label,
    Page,
    PageContext,
    Section,
    Step,
    Text,
    WriteFile,
)

MOTD = "/etc/motd"


@dataclass(frozen=True)
class MotdSettings:
    message: str


class MotdSection(Section):
    """The engine side: one key, read back from /etc/motd, written with a WriteFile step."""

    name = "motd"
    title = "Login message"
    settings = MotdSettings
    keys = (
        Key("motd.message", "OVIRT_MOTD_MESSAGE", Text(max_length=200), Kind.TEXT, "",
            "one-line message shown at login (empty: none)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        path = ctx.root(MOTD)
        if not path.exists():
            return {}
        return {"motd.message": path.read_text().strip()}

    def plan(self, ctx: Context, old: MotdSettings, new: MotdSettings) -> Sequence[Step]:
        text = f"{new.message}\n" if new.message else ""
        return [WriteFile(MOTD, text, title="Write the login message")]

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {"motd": lambda value: {"motd.message": value or ""}}


def current_motd(ctx: PageContext) -> str:
    path = ctx.root(MOTD)
    return path.read_text().strip() or "(empty)" if path.exists() else "(no /etc/motd)"


class MotdPage(Page):
    """The UI side: declared, not drawn; the framework validates and saves through the engine."""

    name = "motd"
    title = "Login Message"
    rank = 200
    #: What F1 shows above the keys (without it: the title and the fields' help).
    help_text = ("The message every user sees after logging in, written to /etc/motd. "
                 "Empty writes an empty file.")

    def layout(self) -> Sequence[Item]:
        return [
            Label("The message every user sees after logging in (one line)."),
            Divider(),
            Entry("motd.message", "Message:"),
            KeyValue("Now in /etc/motd", current_motd),
        ]

    def check(self, values: Mapping[str, str]) -> dict[str, str]:
        if values.get("motd.message", "").strip() != values.get("motd.message", ""):
            return {"motd.message": "must not start or end with spaces"}
        return {}


class plugin:  # noqa: N801 - the entry point names an object; a class with static methods is simplest
    @staticmethod
    def pages() -> list[type[Page]]:
        return [MotdPage]

    @staticmethod
    def sections() -> list[Section]:
        return [MotdSection()]
