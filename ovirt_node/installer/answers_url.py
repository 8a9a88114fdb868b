"""`answers=http(s)://...` on the kernel line: the installer's answers file fetched from a web
server, so one stock image (or PXE set) installs a whole fleet, each node told by its URL.

The fetch waits for the network the boot brings up: a few attempts with a growing pause
(connection refused, no route, a timeout, a 5xx all retry; a 4xx is the server's final word).
`answers_sha256=` pins the file: a file that is not the pinned one is refused. Every failure
is an AnswersError that says what was tried and why it failed; nothing is installed then.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ovirt_node.core import untrusted
from ovirt_node.core.cmdline import KernelArgs
from ovirt_node.core.valid import URL
from ovirt_node.installer.screens.answers import AnswersError

log = logging.getLogger(__name__)

ARG = "answers"
SHA256_ARG = "answers_sha256"
ATTEMPTS = 6
TIMEOUT = 15.0
#: Pause before attempt n+1: 2, 4, 8, 16, 30 s — about a minute for DHCP and the switch port.
FIRST_PAUSE = 2.0
MAX_PAUSE = 30.0
_URL = URL(("http", "https"))


@dataclass(frozen=True)
class AnswersSource:
    url: str
    sha256: str  # "" when not pinned


def source(args: KernelArgs) -> AnswersSource | None:
    """The kernel line's answers URL and pin (None without `answers=`); AnswersError when
    either is malformed."""
    url = args.get(ARG)
    if url is None:
        return None
    problem = _URL.check(url)
    if problem:
        raise AnswersError(f"{ARG}=: {problem}")
    pin = (args.get(SHA256_ARG) or "").lower()
    if pin and (len(pin) != 64 or any(c not in "0123456789abcdef" for c in pin)):
        raise AnswersError(f"{SHA256_ARG}=: must be 64 hexadecimal digits (sha256sum's output), not {pin!r}")
    return AnswersSource(url, pin)


def _get(url: str, timeout: float) -> bytes:
    import http.client  # here: http/ssl cost every other installer run their import time
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": "ovirt-node-installer"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - scheme checked
            data: bytes = response.read(untrusted.MAX_FILE_BYTES + 1)
            return data
    except http.client.HTTPException as exc:  # a cut-off or garbled answer: worth another try
        raise OSError(f"a broken HTTP answer ({type(exc).__name__})") from exc


def _final(exc: Exception) -> bool:
    """A client error (404, 403) will not change by asking again."""
    code = getattr(exc, "code", None)
    return isinstance(code, int) and 400 <= code < 500


def _reason(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return f"the server answered {code} {getattr(exc, 'reason', '')}".rstrip()
    reason = getattr(exc, "reason", None)
    text = getattr(reason, "strerror", None) or str(reason or exc)
    return text.strip() or type(exc).__name__


def fetch(where: AnswersSource, attempts: int = ATTEMPTS, timeout: float = TIMEOUT,
          sleep: Callable[[float], None] = time.sleep) -> str:
    """The answers file's text, checked against the pin and the answers-file limits."""
    pause = FIRST_PAUSE
    last = ""
    for attempt in range(1, attempts + 1):
        log.info("answers: fetching %s (attempt %d of %d)", where.url, attempt, attempts)
        try:
            data = _get(where.url, timeout)
            break
        except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts are OSErrors
            last = _reason(exc)
            log.warning("answers: %s: %s", where.url, last)
            if _final(exc) or attempt == attempts:
                raise AnswersError(f"{where.url}: could not fetch the answers file after {attempt} "
                                   f"attempt{'s' if attempt > 1 else ''}: {last}") from None
            sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)
    if len(data) > untrusted.MAX_FILE_BYTES:
        raise AnswersError(f"{where.url}: larger than the limit of {untrusted.MAX_FILE_BYTES // 1024} KiB")
    digest = hashlib.sha256(data).hexdigest()
    if where.sha256 and digest != where.sha256:
        raise AnswersError(f"{where.url}: its sha256 is {digest}, not the {SHA256_ARG}= given "
                           f"({where.sha256}): refused")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswersError(f"{where.url}: not UTF-8 text (byte offset {exc.start})") from None
