"""Kernel arguments (3.x names) turned into the same changes the TUI and CLI make.

Each section declares the arguments it understands. An argument nobody declares is listed
as ignored; a bad value is reported and skipped while the good ones still apply.

At boot and at install nobody is there to fix a failure, so `apply_by_area` applies the
changes area by area, each in its own transaction: an area that cannot apply (its daemon
absent, its target unreachable) is rolled back and reported alone, and the network, the
passwords and the rest still apply. An interactive `set` stays all-or-nothing.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ovirt_node.core.cmdline import MASK, Arg, BadSwitch, KernelArgs
from ovirt_node.core.engine import Engine, InvalidChanges
from ovirt_node.core.model import KernelArgHandler
from ovirt_node.core.transaction import ProgressCallback, Transaction, TransactionLocked, failure_text

log = logging.getLogger(__name__)


@dataclass
class KernelArgChanges:
    changes: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # redacted argument texts
    #: ignored argument text -> the known argument names it is close to (a typo, most likely)
    near: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (redacted argument, reason)


def _reject(engine: Engine, result: KernelArgChanges, arg: Arg, handler: KernelArgHandler, reason: str) -> None:
    shown = _redacted(engine, arg, handler)
    # Info, not a warning: the callers show `rejected` themselves, once.
    log.info("kernel argument %s skipped: %s", shown, reason)
    result.rejected.append((shown, reason))


def _redacted(engine: Engine, arg: Arg, handler: KernelArgHandler) -> str:
    """The argument as messages show it: masked when it feeds a secret key, so a plugin's
    secret arguments are safe without being in the built-in list of 3.x's secret names."""
    try:
        keys = set(handler(arg.value))
    except InvalidChanges as exc:
        keys = set(exc.errors)
    except BadSwitch:
        keys = set()
    if arg.value is not None and any(k in engine.keys and engine.keys[k].secret for k in keys):
        return f"{arg.spelled}={MASK}"
    return arg.redacted()


def _reason(exc: InvalidChanges) -> str:
    return "; ".join(f"{key}: {msg}" for key, msg in exc.errors.items())


def _implied(handler: KernelArgHandler) -> dict[str, str]:
    return dict(getattr(handler, "implies", {}))


def changes_from_kernel_args(engine: Engine, args: KernelArgs) -> KernelArgChanges:
    """Each argument's changes, validated. Handlers marked `unique` refuse an argument given
    twice; handlers of one `group` (arguments that only make sense together, such as
    `BOOTIF=bond0` and `bond=bond0:eth1,eth2`) are validated together, and when together
    they fail, each is tried alone and kept only if it is valid by itself. A handler's
    `implies` are changes it makes unless another argument of its group says otherwise
    (BOOTIF means DHCP unless an ip= is given, as in 3.x)."""
    handlers = {name: h for s in engine.sections.values() for name, h in s.kernel_args().items()}
    result = KernelArgChanges()
    counts = Counter(arg.name for arg in args)
    groups: dict[str, list[tuple[Arg, dict[str, str]]]] = {}
    for arg in args:
        handler = handlers.get(arg.name)
        if handler is None:
            result.ignored.append(arg.redacted())
            # High cutoff: most unknown arguments are the kernel's own (console=, root=), not typos.
            near = difflib.get_close_matches(arg.name, handlers, n=2, cutoff=0.85)
            if near:
                result.near[arg.redacted()] = near
            continue
        if counts[arg.name] > 1 and getattr(handler, "unique", False):
            # Which one was meant? (3.x silently took one.) A handler marked unique refuses both.
            _reject(engine, result, arg, handler, f"{arg.name} is given {counts[arg.name]} times")
            continue
        group = getattr(handler, "group", None)
        try:
            wanted = dict(handler(arg.value))  # a handler may refuse a value itself
            if group is not None:
                groups.setdefault(group, []).append((arg, wanted))
                continue
            result.changes.update(engine.validate({**_implied(handler), **wanted}))
        except InvalidChanges as exc:
            _reject(engine, result, arg, handler, _reason(exc))
        except BadSwitch as exc:
            _reject(engine, result, arg, handler, exc.reason)
    for members in groups.values():
        # What an argument implies yields to what any argument of its group says.
        implied = {k: v for arg, _wanted in members for k, v in _implied(handlers[arg.name]).items()}
        together = {**implied, **{k: v for _arg, wanted in members for k, v in wanted.items()}}
        try:
            result.changes.update(engine.validate(together))
            continue
        except InvalidChanges:
            pass
        for arg, wanted in members:
            try:
                result.changes.update(engine.validate({**_implied(handlers[arg.name]), **wanted}))
            except InvalidChanges as exc:
                _reject(engine, result, arg, handlers[arg.name], _reason(exc))
    return result


@dataclass(frozen=True)
class AreaResult:
    """What became of one area's changes: applied, unchanged (nothing to do), or failed."""

    area: str
    keys: tuple[str, ...]
    error: str | None = None
    unchanged: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None

    def __str__(self) -> str:
        keys = ", ".join(self.keys)
        if self.error is not None:
            return f"failed: {self.area} ({keys}): {self.error}"
        return f"{'unchanged' if self.unchanged else 'applied'}: {self.area} ({keys})"


def by_area(engine: Engine, changes: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Validated changes grouped by section, in the sections' order."""
    grouped: dict[str, dict[str, str]] = {}
    for name in engine.sections:
        mine = {k: v for k, v in changes.items() if engine.keys[k].section == name}
        if mine:
            grouped[name] = mine
    return grouped


def plans_by_area(engine: Engine, changes: Mapping[str, str]) -> dict[str, Transaction]:
    """Each area's plan on its own, as `apply_by_area` would run them (for a dry run)."""
    return {name: engine.plan(mine, f"Apply the {name} settings")
            for name, mine in by_area(engine, changes).items()}


def apply_by_area(engine: Engine, changes: Mapping[str, str], progress: ProgressCallback | None = None,
                  starting: Callable[[str], None] | None = None) -> list[AreaResult]:
    """Apply validated changes one area per transaction; a failure is rolled back and
    recorded, and the next area runs. Only another change in progress stops them all.
    `starting` is told each area's name before its transaction runs (a heading)."""
    results: list[AreaResult] = []
    for name, mine in by_area(engine, changes).items():
        keys = tuple(sorted(mine))
        if starting is not None:
            starting(name)
        try:
            tx = engine.plan(mine, f"Apply the {name} settings")
            if not tx.steps:
                results.append(AreaResult(name, keys, unchanged=True))
                continue
            tx.run(engine.ctx, progress)
        except TransactionLocked:
            raise
        except Exception as exc:  # one area's failure must not keep the others off the node
            log.info("kernel arguments: %s not applied: %s", name, failure_text(exc))  # callers show it
            results.append(AreaResult(name, keys, failure_text(exc)))
            continue
        results.append(AreaResult(name, keys))
    return results
