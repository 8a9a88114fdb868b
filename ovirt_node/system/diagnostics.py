"""Diagnostic output for the operator: the node's logs, the journal, kernel messages.

Every command runs with a timeout, and a missing tool or a failure becomes a sentence in the
output ("dmesg is not installed on this node") rather than an exception: a viewer must
always have something to show. Under a root prefix only what lies under the root is read.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from ovirt_node.system.root import Root
from ovirt_node.system.run import CommandError, Runner, run

NODE_LOG_DIR = "/var/log/ovirt-node"
#: A viewer shows the end of a long log; the support bundle takes whole files.
TAIL_LINES = 5000


def capture(argv: Sequence[str], runner: Runner = run, timeout: float = 30) -> str:
    """stdout (then stderr) of `argv`, or a sentence saying why there is none."""
    if shutil.which(argv[0]) is None:
        return f"{argv[0]} is not installed on this node."
    try:
        result = runner(argv, check=False, timeout=timeout)
    except CommandError as exc:
        return f"{' '.join(argv)}: {exc}"
    text = result.stdout
    if result.stderr.strip():
        text = f"{text}\n{result.stderr}" if text else result.stderr
    if not result.ok:
        text += f"\n({argv[0]} exited with status {result.returncode})"
    return text or "(no output)"


def node_logs(root: Root) -> list[Path]:
    """The node's own log files (current and rotated), newest name first within a log."""
    folder = root(NODE_LOG_DIR)
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and ".log" in p.name), key=lambda p: p.name)


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    kept = text.splitlines()[-lines:]
    return "\n".join(kept) if kept else "(empty)"


def journal(root: Root, runner: Runner = run) -> str:
    """This boot's journal on the node; under a root prefix, the journal files under it."""
    if root.is_host:
        return capture(["journalctl", "-b", "--no-pager", "-o", "short-iso", "-n", str(TAIL_LINES)], runner)
    folder = root("/var/log/journal")
    if not folder.is_dir():
        return f"No journal under {root}: the node's journal is only on the node itself."
    return capture(["journalctl", "-D", str(folder), "--no-pager", "-o", "short-iso", "-n", str(TAIL_LINES)],
                   runner)


def kernel_messages(root: Root, runner: Runner = run) -> str:
    if not root.is_host:
        return f"Kernel messages are only available on the node itself (root prefix {root})."
    return capture(["dmesg", "--ctime"], runner)
