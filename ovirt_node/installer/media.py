"""Where the image comes from: a directory (a mounted CD, or a copy), a block device (the CD or
USB stick itself), or an image file (`.iso`); devices and files are mounted read-only for the
time they are read, then verified by `open_image`.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ovirt_node.core.run import CommandError, Runner
from ovirt_node.installer.image import ImageError, NodeImage, open_image
from ovirt_node.persist.mount import unmount


@contextmanager
def media(source: Path, mount_dir: Path, runner: Runner) -> Iterator[NodeImage]:
    """The verified image at `source`; a device or file stays mounted on `mount_dir` until the
    block ends."""
    if source.is_dir():
        yield open_image(source)
        return
    try:
        mode = source.stat().st_mode
    except OSError as exc:
        raise ImageError(f"{source}: {exc.strerror}") from exc
    options = "ro" if stat.S_ISBLK(mode) else "ro,loop"
    mount_dir.mkdir(parents=True, exist_ok=True)
    try:
        runner(["mount", "-o", options, str(source), str(mount_dir)])
    except CommandError as exc:
        raise ImageError(f"{source}: cannot be mounted: {exc}") from exc
    try:
        yield open_image(mount_dir)
    finally:
        # A flow's last step unmounts everything under its work directory, the media too.
        if mount_dir.is_mount():
            unmount(mount_dir)
