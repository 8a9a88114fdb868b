"""The one way this program runs other programs: argv lists only, every call logged.

Secrets passed in `secrets=` go to a program on stdin only: a call with one in its argv is
refused before anything runs, since every user can read any process's argv (/proc/PID/cmdline,
`ps`). They are masked in what the program prints back. In dry-run nothing is executed and the
calls are recorded so a plan can show them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence

from ovirt_node.core.namedtuple import NamedTuple

log = logging.getLogger(__name__)

MASK = "********"


class SecretInArgv(ValueError):
    """A caller put a secret on a command line; a bug, refused before the program runs."""

    def __init__(self, argv: Sequence[str], secrets: Iterable[str]) -> None:
        shown = " ".join(mask(a, secrets) for a in argv)
        super().__init__(f"refusing to run {shown}: a secret on a command line is visible to every user; "
                         "secrets go on stdin")


class CommandError(RuntimeError):
    """A command exited non-zero (or could not be started)."""

    def __init__(self, argv: Sequence[str], returncode: int, stderr: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr
        detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
        super().__init__(f"{argv[0]} exited with {returncode}: {detail}")


class Result(NamedTuple):
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace every non-empty secret inside `text`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class Runner:
    """Runs argv lists; with `dry_run` it only records what it would run. (A plain class and
    a named tuple here, not dataclasses: every console script imports this module.)"""

    def __init__(self, dry_run: bool = False, calls: list[tuple[str, ...]] | None = None) -> None:
        self.dry_run = dry_run
        self.calls: list[tuple[str, ...]] = [] if calls is None else calls

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dry_run={self.dry_run!r}, calls={self.calls!r})"

    def __call__(
        self,
        argv: Sequence[str],
        *,
        check: bool = True,
        input: str | None = None,
        secrets: Iterable[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float | None = 120,
    ) -> Result:
        if isinstance(argv, str):
            raise TypeError("run() takes an argv list, never a shell string")
        secrets = [s for s in secrets if s]
        if any(secret in arg for secret in secrets for arg in argv):
            raise SecretInArgv(argv, secrets)
        shown = tuple(argv)
        self.calls.append(shown)
        if self.dry_run:
            log.info("dry-run: %s", " ".join(shown))
            return Result(shown, 0, "", "")
        log.info("run: %s", " ".join(shown))
        import subprocess  # here: every Context makes a Runner, and a plain read runs nothing

        try:
            proc = subprocess.run(
                list(argv), input=input, capture_output=True, text=True, env=env, timeout=timeout, check=False
            )
        except FileNotFoundError as exc:
            raise CommandError(shown, 127, f"{argv[0]}: command not found") from exc
        except subprocess.TimeoutExpired as exc:
            raise CommandError(shown, 124, f"timed out after {timeout} s") from exc
        result = Result(shown, proc.returncode, proc.stdout, mask(proc.stderr, secrets))
        log.debug("exit %d: %s", proc.returncode, shown[0])
        if check and proc.returncode != 0:
            raise CommandError(shown, proc.returncode, result.stderr)
        return result

    def stream(self, argv: Sequence[str], on_line: Callable[[str], bool], *, timeout: float = 120) -> int:
        """Run `argv`, handing each line of its output (stdout and stderr merged) to `on_line`
        as it comes; `on_line` returning False stops the program. Returns the exit status
        (-1 when stopped or timed out); in dry-run nothing runs and the status is 0."""
        shown = tuple(argv)
        self.calls.append(shown)
        if self.dry_run:
            log.info("dry-run: %s", " ".join(shown))
            return 0
        log.info("run: %s", " ".join(shown))
        import subprocess

        try:
            proc = subprocess.Popen(list(argv), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        except FileNotFoundError as exc:
            raise CommandError(shown, 127, f"{argv[0]}: command not found") from exc
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                if not on_line(line.rstrip("\n")):
                    proc.kill()
                    break
            code = proc.wait()
        finally:
            timer.cancel()
            if proc.stdout is not None:
                proc.stdout.close()
        log.debug("exit %d: %s", code, shown[0])
        return code if code >= 0 else -1


#: The default runner for code that has no reason to carry its own.
run = Runner()
