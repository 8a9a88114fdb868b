"""The kernel lines of the grub.cfg ovirt-node writes (installer/steps/bootloader.py): each
`linux` line is `linux /KERNEL 'word' 'word' ... $variable ...`, every argument single-quoted as grub reads it,
then the grub variables grub.cfg fills in itself (the trial boot's, installer/steps/trial.py),
which are not arguments of the node's and are kept as they are by a rewrite.

Kept apart from the installer so that a settings area (the boot console) can read and rewrite
the node's kernel arguments with the same quoting the installer writes them with.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence


def grub_word(text: str) -> str:
    """A grub word: single-quoted (grub's single quotes, like the shell's, take everything
    literally; a quote inside is closed, escaped and reopened)."""
    return "'" + text.replace("'", "'\\''") + "'"


def linux_words(line: str) -> list[str] | None:
    """The words of a `linux` line (the command, the kernel, its arguments); None for any other
    line, or one grub could not have read (unbalanced quotes)."""
    if not line.lstrip().startswith("linux"):
        return None
    try:
        words = shlex.split(line)
    except ValueError:
        return None
    return words if words[:1] == ["linux"] and len(words) >= 2 else None


def _is_variable(word: str) -> bool:
    return word.startswith("$")


def first_kernel_args(text: str) -> list[str]:
    """The arguments of the first entry's kernel (the default entry's, as we write them)."""
    for line in text.splitlines():
        words = linux_words(line)
        if words is not None:
            return [w for w in words[2:] if not _is_variable(w)]
    return []


def edit_kernel_args(text: str, edit: Callable[[list[str]], Sequence[str]]) -> str:
    """`text` with every entry's kernel arguments replaced by `edit(arguments)`; the other lines
    and each line's indentation stay as they are."""
    out = []
    for line in text.splitlines(keepends=True):
        words = linux_words(line)
        if words is None:
            out.append(line)
            continue
        indent = line[: len(line) - len(line.lstrip())]
        ending = line[len(line.rstrip("\r\n")):]
        args = edit([w for w in words[2:] if not _is_variable(w)])
        variables = [w for w in words[2:] if _is_variable(w)]
        out.append(f"{indent}linux {words[1]} " + " ".join([*(grub_word(w) for w in args), *variables]) + ending)
    return "".join(out)
