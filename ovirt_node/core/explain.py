"""Exceptions as sentences an operator can act on: the cause in words (never a Python repr
such as "<urlopen error [Errno 2] ...>") and what to do about it.

`cause(exc)` is the cause alone (a transaction step's failure line); `sentence(what, exc)`
adds what failed and the advice (a dialog).
"""

from __future__ import annotations

import errno
import traceback
from pathlib import Path

#: What to do, by the kind of failure; the last is for everything else.
_CHECK_PATH = "Check that the path is right and the file is there, then try again."
_CHECK_NETWORK = "Check the address and that the node can reach it (Network page), then try again."
_CHECK_PERMISSION = "The file or directory may not be writable (a read-only file system?); check its permissions."
_CHECK_SPACE = "Free some space on that file system (Storage, Support: old bundles), then try again."
_DEFAULT = "Try again; if it fails again, the details are in the log: write a support bundle (F8)."


def _unwrap(exc: BaseException) -> BaseException:
    """The error under a URLError (its `reason`), which is what went wrong."""
    reason = getattr(exc, "reason", None)
    if isinstance(reason, BaseException) and type(exc).__name__ == "URLError":
        return reason
    return exc


def cause(exc: BaseException) -> str:
    """The cause in words. An exception that says nothing (StopIteration, KeyError(''), an
    assert) gives its type and where it was raised, so the report is never empty."""
    inner = _unwrap(exc)
    if isinstance(inner, OSError) and inner.strerror:
        where = inner.filename
        return f"{inner.strerror}: {where}" if where else inner.strerror
    reason = getattr(exc, "reason", None)
    if type(exc).__name__ == "URLError" and isinstance(reason, str):
        return reason
    text = str(inner).strip()
    if text:
        return text
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return f"{type(exc).__name__} (no message)"
    last = frames[-1]
    return f"{type(exc).__name__} (no message) in {last.name}(), {Path(last.filename).name} line {last.lineno}"


def advice(exc: BaseException) -> str:
    """What the operator can do about `exc`."""
    inner = _unwrap(exc)
    if isinstance(inner, FileNotFoundError | NotADirectoryError | IsADirectoryError):
        return _CHECK_PATH
    if isinstance(inner, PermissionError) or (isinstance(inner, OSError) and inner.errno == errno.EROFS):
        return _CHECK_PERMISSION
    if isinstance(inner, OSError) and inner.errno == errno.ENOSPC:
        return _CHECK_SPACE
    if isinstance(inner, ConnectionError | TimeoutError) or type(exc).__name__ == "URLError":
        return _CHECK_NETWORK
    if isinstance(inner, OSError) and inner.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH):
        return _CHECK_NETWORK
    return _DEFAULT


def sentence(what: str, exc: BaseException) -> str:
    """"<what> did not work: <cause>. <advice>" for a dialog."""
    text = cause(exc).rstrip(".")
    return f"{what} did not work: {text}.\n{advice(exc)}"
