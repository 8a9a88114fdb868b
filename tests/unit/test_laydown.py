"""The image copy: exact bytes for sizes around the chunk and alignment boundaries (the direct
writes and the buffered tail), progress up to the size, and a mismatch refused."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from ovirt_node.installer.steps import laydown


@pytest.mark.parametrize("size", [0, 1, laydown.ALIGN, laydown.CHUNK, 2 * laydown.CHUNK + laydown.ALIGN + 7])
def test_copy_is_exact_and_reports_progress(tmp_path: Path, size: int) -> None:
    source = tmp_path / "squashfs.img"
    source.write_bytes(os.urandom(size))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    seen: list[int] = []
    laydown.copy_verified(source, tmp_path / "slot.img", digest, lambda done, _total: seen.append(done))
    assert (tmp_path / "slot.img").read_bytes() == source.read_bytes()
    assert seen == sorted(seen) and (seen[-1] if seen else 0) == size


def test_copy_refuses_bytes_that_do_not_match_the_verified_digest(tmp_path: Path) -> None:
    source = tmp_path / "squashfs.img"
    source.write_bytes(b"changed since it was verified")
    with pytest.raises(laydown.LaydownError, match="checksum mismatch"):
        laydown.copy_verified(source, tmp_path / "slot.img", hashlib.sha256(b"original").hexdigest())


def test_a_copy_that_cannot_be_written_says_where_and_why(tmp_path: Path) -> None:
    source = tmp_path / "squashfs.img"
    source.write_bytes(os.urandom(laydown.CHUNK + 1))
    with pytest.raises(laydown.LaydownError, match=r"copying .*squashfs\.img to /dev/full: \[Errno"):
        laydown.copy_verified(source, Path("/dev/full"), hashlib.sha256(source.read_bytes()).hexdigest())
