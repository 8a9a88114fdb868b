"""Stand-ins for system tools: small shell scripts on a PATH of their own, each printing a
fixed text (after "<name> <args>" so tests see how it was called) and noting the call in a
log, so a test can prove which tools ran and that a page showed their real output."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path


def fake_tools(folder: Path, outputs: dict[str, str], *, sleep: dict[str, float] | None = None) -> Path:
    """Executables `folder/<name>`; returns the call log (one "name args" line per call)."""
    folder.mkdir(parents=True, exist_ok=True)
    calls = folder / "calls.log"
    for name, text in outputs.items():
        pause = f"{shutil.which('sleep')} {sleep[name]}\n" if sleep and name in sleep else ""
        script = folder / name
        script.write_text(
            "#!/bin/sh\n"
            f'echo "{name} $*" >> {shlex.quote(str(calls))}\n'
            f"{pause}"
            f'echo "{name} $*"\n'
            f"printf '%s\\n' {shlex.quote(text)}\n"
        )
        script.chmod(0o755)
    return calls


def called(calls: Path) -> list[str]:
    return calls.read_text().splitlines() if calls.exists() else []
