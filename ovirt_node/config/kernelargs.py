"""Kernel arguments (3.x names) turned into the same changes the TUI and CLI make.

Each section declares the arguments it understands. An argument nobody declares is listed
as ignored; a bad value is reported and skipped while the good ones still apply.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ovirt_node.config.engine import Engine, InvalidChanges
from ovirt_node.system.cmdline import KernelArgs

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
        try:
            wanted = dict(handler(arg.value))
            result.changes.update(engine.validate(wanted))
        except InvalidChanges as exc:
            reason = "; ".join(f"{key}: {msg}" for key, msg in exc.errors.items())
            log.warning("kernel argument %s skipped: %s", arg.redacted(), reason)
            result.rejected.append((arg.redacted(), reason))
    return result
