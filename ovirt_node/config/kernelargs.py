"""Kernel arguments (3.x names) turned into the same changes the TUI and CLI make.

Each section declares the arguments it understands. An argument nobody declares is listed
as ignored; a bad value is reported and skipped while the good ones still apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ovirt_node.config.engine import Engine, InvalidChanges
from ovirt_node.system.cmdline import MASK, Arg, KernelArgs

log = logging.getLogger(__name__)


@dataclass
class KernelArgChanges:
    changes: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)  # redacted argument texts
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (redacted argument, reason)


def changes_from_kernel_args(engine: Engine, args: KernelArgs) -> KernelArgChanges:
    handlers = {name: h for s in engine.sections.values() for name, h in s.kernel_args().items()}
    result = KernelArgChanges()
    for arg in args:
        handler = handlers.get(arg.name)
        if handler is None:
            result.ignored.append(arg.redacted())
            continue
        wanted: dict[str, str] = {}
        try:
            wanted = dict(handler(arg.value))
            result.changes.update(engine.validate(wanted))
        except InvalidChanges as exc:
            reason = "; ".join(f"{key}: {msg}" for key, msg in exc.errors.items())
            shown = _redacted(engine, arg, wanted)
            log.warning("kernel argument %s skipped: %s", shown, reason)
            result.rejected.append((shown, reason))
    return result


def _redacted(engine: Engine, arg: Arg, wanted: dict[str, str]) -> str:
    """The argument as logs show it: masked when it feeds a secret key, so a plugin's secret
    arguments are safe without being in the built-in list of 3.x's secret names."""
    if arg.value is not None and any(k in engine.keys and engine.keys[k].secret for k in wanted):
        return f"{arg.spelled}={MASK}"
    return arg.redacted()
