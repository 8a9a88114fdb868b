"""`ovirt-node-config [--root DIR] get KEY` answered before argparse, logging or the engine
are imported: for the keys areas/quick.py reads, the whole run costs little more than a bare
`python -c 'import augeas'` (the budget: 1.3x). Whatever it cannot answer for sure, the full
path answers from the start (nothing has been printed or written by then)."""

from __future__ import annotations

# The C half of the signal module, loaded with the interpreter: `signal` itself builds three
# enums on import, a fiftieth of this whole run, and only the handlers are needed here.
import _signal  # type: ignore[import-not-found]
import os
import sys

from ovirt_node.areas import quick

#: Not typing's: importing typing costs a tenth of this whole run.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType


def words(argv: Sequence[str]) -> tuple[str, bool, str] | None:
    """(root, debug, key) of `[--root DIR] [--debug] get KEY` as the full parser would parse
    it, or None for any other shape (`-h`, `--version` and abbreviations included)."""
    root, debug, rest = "/", False, list(argv)
    while rest and rest[0] in ("--root", "--debug") or rest and rest[0].startswith("--root="):
        option = rest.pop(0)
        if option == "--debug":
            debug = True
        elif option.startswith("--root="):
            root = option.partition("=")[2]
        elif rest and not rest[0].startswith("-"):
            root = rest.pop(0)
        else:
            return None
    if len(rest) != 2 or rest[0] != "get" or rest[1].startswith("-") or not root:
        return None
    return root, debug, rest[1]


#: The signals a read ends on, with their names (as signal.Signals has them).
_SIGNALS = {_signal.SIGINT: "SIGINT", _signal.SIGTERM: "SIGTERM", _signal.SIGHUP: "SIGHUP"}


class _Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        self.signum = signum


def _interrupt(signum: int, _frame: FrameType | None) -> None:
    raise _Interrupted(signum)


def get(argv: Sequence[str]) -> int | None:
    """The exit code of `get` answered here, or None: the full path must run (--debug logs
    what the engine does, so it takes the full path too)."""
    shape = words(argv)
    if shape is None or shape[1] or shape[2] not in quick.KEYS:
        return None
    prefix = os.path.realpath(shape[0])  # as Root.at resolves --root
    if not os.path.isdir(prefix):
        return None
    # SIGINT, SIGTERM and SIGHUP end a read with the message and exit code the full path's
    # SignalGuard gives (only the main thread may set handlers: elsewhere, none are set).
    old = {}
    try:
        for signum in _SIGNALS:
            old[signum] = _signal.signal(signum, _interrupt)
    except ValueError:
        pass
    try:
        value = quick.read(prefix, shape[2])
    except _Interrupted as exc:
        print(f"ovirt-node-config: interrupted by {_SIGNALS[exc.signum]}", file=sys.stderr)
        return 128 + exc.signum
    finally:
        for signum, handler in old.items():
            _signal.signal(signum, handler)
    if value is None:
        return None
    print(value)
    return 0
