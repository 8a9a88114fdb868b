"""A plan is immutable once made: running a Transaction writes to none of its steps (what a
run learns lives in the run), steps refuse assignment, and the same planned Transaction runs
again from a clean state with the same result."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ovirt_node
from ovirt_node.areas.performance import SwitchTunedProfile
from ovirt_node.areas.registry import builtin_sections
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.root import Root
from ovirt_node.core.steps import EnableUnit, WriteFile, unit_enabled
from ovirt_node.core.transaction import Progress, Step, Transaction, TransactionError
from ovirt_node.demo.templates import tuned_mock
from tests.dbus_env import MockService
from tests.integration.test_transaction import HalfWriteThenFail
from tests.node_fixtures import snapshot


def planned(steps: tuple[Step, ...]) -> list[tuple[int, dict[str, Any]]]:
    """Each step's identity and a copy of everything it holds."""
    return [(id(step), dict(vars(step))) for step in steps]


def ssh_and_agent_plan(root: Path, fail: bool) -> tuple[Context, Transaction]:
    """The engine's plan for an SSH port (defaults file, sshd_config), an EnableUnit step that
    records its undo, and optionally a step that fails half way through a file."""
    unit_dir = root / "usr/lib/systemd/system"
    unit_dir.mkdir(parents=True, exist_ok=True)
    (unit_dir / "agent.service").write_text("[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n")
    (root / "etc/systemd/system/multi-user.target.wants").mkdir(parents=True, exist_ok=True)  # as on a node
    engine = Engine(Context(root=Root.at(root)), builtin_sections())
    plan = engine.plan({"ssh.port": "2222"})
    extra: list[Step] = [EnableUnit("agent.service")]
    if fail:
        extra.append(HalfWriteThenFail("/etc/rsyslog.conf"))
    return engine.ctx, Transaction(plan.title, [*plan.steps, *extra])


@pytest.mark.parametrize("fail", [False, True], ids=["applied", "rolled back"])
def test_a_run_leaves_every_planned_step_as_planned(node_root: Path, fail: bool) -> None:
    ctx, tx = ssh_and_agent_plan(node_root, fail)
    steps, held = tx.steps, planned(tx.steps)
    copies = [dataclasses.replace(s) for s in steps if dataclasses.is_dataclass(s)]
    try:
        tx.run(ctx)
    except TransactionError as exc:
        assert fail and "Break in the middle failed: disk on fire; all changes were rolled back" in str(exc)
        assert not unit_enabled(ctx, "agent.service")  # the run undid what it recorded
    else:
        assert not fail and unit_enabled(ctx, "agent.service")
    assert tx.steps is steps and planned(tx.steps) == held
    assert [s for s in steps if dataclasses.is_dataclass(s)] == copies


def test_planned_steps_refuse_assignment(node_root: Path) -> None:
    _ctx, tx = ssh_and_agent_plan(node_root, fail=True)
    assert isinstance(tx.steps, tuple)
    for step in tx.steps:
        with pytest.raises(dataclasses.FrozenInstanceError):
            step.title = "changed after planning"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tx.steps = ()  # type: ignore[misc]


def step_classes() -> list[type[Step]]:
    """Every Step subclass the package (and the installed add-ons) define."""
    for module in pkgutil.walk_packages(ovirt_node.__path__, "ovirt_node."):
        if ".demo.templates." not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: list[type[Step]] = []
    todo = list(Step.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [c for c in found if not c.__module__.startswith("tests.")]


def test_every_step_kind_is_a_frozen_dataclass() -> None:
    classes = step_classes()
    assert {"WriteDefaults", "PersistPath", "EnableUnit", "ActivateConnections", "Mount", "SkippableStep"} <= {
        c.__name__ for c in classes}
    mutable = [f"{c.__module__}.{c.__qualname__}" for c in classes
               if not (dataclasses.is_dataclass(c) and c.__dataclass_params__.frozen)]  # type: ignore[attr-defined]
    assert mutable == []


def test_the_same_plan_run_twice_gives_the_same_result(node_root: Path, tmp_path: Path) -> None:
    ctx, tx = ssh_and_agent_plan(node_root, fail=True)
    before = snapshot(node_root)
    outcomes: list[tuple[str, list[str]]] = []
    for _ in range(2):
        events: list[Progress] = []
        with pytest.raises(TransactionError) as err:
            tx.run(ctx, events.append)
        outcomes.append((str(err.value), [str(e) for e in events]))
        assert snapshot(node_root) == before
    assert outcomes[0] == outcomes[1]

    written = Transaction("motd", [WriteFile("/etc/motd", "hello\n", mode=0o600)])
    trees = []
    for name in ("one", "two"):
        root = tmp_path / name
        written.run(Context(root=Root.at(root)))
        trees.append(snapshot(root))
    assert trees[0] == trees[1]


@pytest.fixture
def tuned(private_bus: str) -> Iterator[MockService]:
    with tuned_mock(private_bus, [("balanced", "balanced"), ("virtual-host", "virtual-host")], "virtual-host") as svc:
        yield svc


def test_a_second_run_undoes_only_what_it_did(node_root: Path, tuned: MockService) -> None:
    """Run 1 switches tuned; in run 2 tuned refuses: nothing was switched, so nothing is
    switched back (a step that kept run 1's "done" would switch to the previous profile)."""
    ctx = Context(root=Root.at(node_root), bus=tuned.address)
    tx = Transaction("tuned", [SwitchTunedProfile("balanced", "virtual-host")])
    tx.run(ctx)
    tuned.mock.ClearCalls()
    tuned.mock.AddMethod("com.redhat.tuned.control", "switch_profile", "s", "(bs)",
                         "ret = (False, 'Cannot load profile(s) ' + args[0])")
    with pytest.raises(TransactionError, match="refused the profile 'balanced'"):
        tx.run(ctx)
    asked = [(str(name), [str(a) for a in args]) for _t, name, args in tuned.mock.GetCalls()]
    assert [c for c in asked if c[0] == "switch_profile"] == [("switch_profile", ["balanced"])]
