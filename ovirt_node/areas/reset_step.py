"""The steps of a configuration reset: drop a path from the /config store, and put one node
file back as the image has it (or remove it when the image has none).

Both are ordinary transaction steps: the file a `RestorePristine` writes is backed up by the
transaction and restored byte for byte on a rollback; an `Unpersist` records how to persist
the path again, which runs after the later steps' files are back (rollback goes last first),
so the store gets the old content again too.
"""

from __future__ import annotations

import functools
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ovirt_node.core.context import Context
from ovirt_node.core.steps import write_file_atomic
from ovirt_node.core.transaction import Step, StepRun


@dataclass(frozen=True)
class Unpersist(Step):
    """Forget a persisted path: its bind mount goes and its copy leaves /config (the live
    path keeps the stored content until a later step resets it)."""

    path: str
    title: str = ""

    def __post_init__(self) -> None:
        self._default_title(f"Drop {self.path} from /config")

    def apply(self, ctx: Context, run: StepRun) -> None:
        ctx.store.unpersist(self.path)
        run.on_rollback(lambda: ctx.store.persist(self.path))


@dataclass(frozen=True)
class RestorePristine(Step):
    """Make node file `path` what the image holds at `pristine` (a file or a symlink); with
    `pristine` None the image has no such file and the node's is removed, with the folders
    above it the image does not have either."""

    path: str
    pristine: Path | None
    #: The image's root: empty folders left by a removal are removed only where it has none.
    image_root: Path | None = None
    title: str = ""

    def __post_init__(self) -> None:
        verb = "Reset" if self.pristine is not None else "Remove"
        self._default_title(f"{verb} {self.path}")

    def touches(self) -> Sequence[str]:
        return (self.path,)

    def apply(self, ctx: Context, run: StepRun) -> None:
        try:
            self._put_back(ctx, run)
        finally:
            ctx.reload()  # the Augeas handle read the old file

    def _put_back(self, ctx: Context, run: StepRun) -> None:
        live = ctx.root(self.path, follow=False)
        source = self.pristine
        if source is None:
            if live.is_symlink() or live.exists():
                live.unlink()
            self._prune(ctx, live.parent, run)
            return
        if source.is_symlink():
            if live.is_symlink() or live.exists():
                live.unlink()
            live.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(os.readlink(source), live)
            return
        info = source.stat()
        if live.is_symlink():  # the image has a file here: the link goes, not what it leads to
            live.unlink()
        live.parent.mkdir(parents=True, exist_ok=True)
        write_file_atomic(live, source.read_bytes(), stat.S_IMODE(info.st_mode), (info.st_uid, info.st_gid))

    def _prune(self, ctx: Context, folder: Path, run: StepRun) -> None:
        """Remove the empty folders above a removed file that the image does not have; a
        rollback makes them again (before the file's backup is put back in them)."""
        if self.image_root is None:
            return
        top = ctx.root("/")
        rel = Path(self.path).parent
        while folder != top and not (self.image_root / rel.relative_to("/")).exists():
            if folder.is_symlink() or not folder.is_dir() or any(folder.iterdir()):
                return
            mode = stat.S_IMODE(folder.stat().st_mode)
            folder.rmdir()
            run.on_rollback(functools.partial(_make_folder, folder, mode))
            folder, rel = folder.parent, rel.parent



def _make_folder(path: Path, mode: int) -> None:
    path.mkdir(exist_ok=True)
    os.chmod(path, mode)
