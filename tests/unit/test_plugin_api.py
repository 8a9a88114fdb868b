"""The plugin API's pieces for add-ons: their own platform names, enabling units at boot,
stopping units, and button handlers that read and fill the page's fields."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pytest

from ovirt_node.core.cmdline import parse
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.kernelargs import changes_from_kernel_args
from ovirt_node.core.model import KernelArgHandler, Key, Kind, Section
from ovirt_node.core.platform import PlatformError, load
from ovirt_node.core.root import Root
from ovirt_node.core.steps import EnableUnit, StopUnit, unit_enabled, wants_link
from ovirt_node.core.transaction import Step, StepRun, Transaction, TransactionError
from ovirt_node.core.valid import Text
from ovirt_node.ui.page import Button, Entry, FormUI, Item, Page, PageUI
from ovirt_node.ui.testing import PageHarness, page_context

NAMES = {
    "el": {"units": {"agent": "agent.service"}, "paths": {"state": "/var/lib/agent-el"}},
    "debian": {"paths": {"state": "/var/lib/agent"}},
}


def test_plugin_names_follow_the_platform_chain_base_first() -> None:
    debian, el = load("debian").extended(NAMES), load("el").extended(NAMES)
    assert load("debian").chain == ("el", "debian")
    assert (debian.unit("agent"), debian.path("state")) == ("agent.service", "/var/lib/agent")
    assert el.path("state") == "/var/lib/agent-el"
    assert debian.unit("ssh") == "ssh.service"  # the platform's own names stay
    with pytest.raises(PlatformError):
        load("debian").unit("agent")  # the cached platform is not changed
    with pytest.raises(PlatformError, match="unknown table 'daemons'"):
        load("el").extended({"el": {"daemons": {}}})


class Boom(Step):
    title = "Fail"

    def apply(self, ctx: Context, run: StepRun) -> None:
        raise RuntimeError("boom")


def test_enable_unit_makes_the_wants_link_and_a_rollback_removes_it(tmp_path: Path) -> None:
    unit_dir = tmp_path / "usr/lib/systemd/system"
    unit_dir.mkdir(parents=True)
    (unit_dir / "agent.service").write_text("[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=timers.target\n")
    ctx = Context(root=Root.at(tmp_path))
    assert wants_link(ctx, "agent.service") == "/etc/systemd/system/timers.target.wants/agent.service"
    assert wants_link(ctx, "other.service") == "/etc/systemd/system/multi-user.target.wants/other.service"

    with pytest.raises(TransactionError):
        Transaction("t", [EnableUnit("agent.service"), Boom()]).run(ctx)
    assert not unit_enabled(ctx, "agent.service")

    Transaction("t", [EnableUnit("agent.service")]).run(ctx)
    link = tmp_path / "etc/systemd/system/timers.target.wants/agent.service"
    assert link.readlink() == Path("/usr/lib/systemd/system/agent.service") and unit_enabled(ctx, "agent.service")
    assert EnableUnit("agent.service").skip_reason(ctx) == "already so"

    with pytest.raises(TransactionError):
        Transaction("t", [EnableUnit("agent.service", False), Boom()]).run(ctx)
    assert unit_enabled(ctx, "agent.service")  # the disabling was undone
    Transaction("t", [EnableUnit("agent.service", False)]).run(ctx)
    assert not link.is_symlink()


def test_stop_unit_is_a_runtime_step(tmp_path: Path) -> None:
    step = StopUnit("agent.service")
    assert step.title == "Stop agent.service"
    assert "runtime effects need --bus" in (step.skip_reason(Context(root=Root.at(tmp_path))) or "")


def copy_name(ui: PageUI) -> None:
    form = cast(FormUI, ui)
    form.set_value("local.copy", form.values()["local.name"].upper())


class CopyPage(Page):
    name = "copy"
    title = "Copy"

    def layout(self) -> Sequence[Item]:
        return [Entry("local.name", "Name:", validator=Text()), Button("Copy", copy_name),
                Entry("local.copy", "Copy:", validator=Text(max_length=5))]


def test_a_button_reads_what_is_typed_and_fills_a_field_as_typing_would(node_root: Path) -> None:
    harness = PageHarness(CopyPage, page_context(node_root))
    harness.type("Name", "abcdefgh")
    harness.press("Copy")
    assert harness.value("Copy") == "ABCDEFGH"
    assert harness.error("Name") == "" and "5" in harness.error("Copy")  # validated like typing
    assert "ABCDEFGH" in harness.text().split("Copy:", 1)[1]  # and shown


@dataclass(frozen=True)
class TokenSettings:
    token: str


class TokenSection(Section):
    """A plugin's section with a secret kernel argument that 3.x never had."""

    name = "token"
    title = "Token"
    settings = TokenSettings
    keys = (Key("token.token", None, Text(min_length=8), Kind.TEXT, "", secret=True),)

    def read(self, ctx: Context) -> dict[str, str | None]:
        return {}

    def kernel_args(self) -> Mapping[str, KernelArgHandler]:
        return {"widget_token": lambda v: {"token.token": v or ""}}


def test_a_plugins_secret_kernel_argument_is_masked_when_skipped(node_root: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    engine = Engine(Context(root=Root.at(node_root)), [TokenSection()])
    found = changes_from_kernel_args(engine, parse("widget_token=short7 other=1"))
    assert found.rejected == [("widget_token=********", "token.token: must be text of at least 8 characters")]
    assert "short7" not in caplog.text and found.ignored == ["other=1"]
