"""The image copy: exact bytes for sizes around the chunk and alignment boundaries (the direct
writes and the buffered tail), progress up to the size, and a mismatch refused."""

from __future__ import annotations

import hashlib
import os
import threading
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


@pytest.mark.parametrize("ok", [True, False])
def test_the_read_back_follows_the_copy_and_stops_when_it_fails(tmp_path: Path, ok: bool) -> None:
    path = tmp_path / "slot.img"
    data = os.urandom(2 * laydown.CHUNK + 5)
    path.write_bytes(data)
    written = laydown.Written()
    result: list[str | None] = []
    reader = threading.Thread(target=lambda: result.append(laydown.hash_from_device(path, written)))
    reader.start()
    reader.join(0.2)
    assert reader.is_alive()  # nothing written yet: it waits
    written.advance(laydown.CHUNK)
    reader.join(0.2)
    assert reader.is_alive()  # the first chunk read back; the rest is not written yet
    written.finish(ok)
    reader.join(5)
    assert result == [hashlib.sha256(data).hexdigest() if ok else None]


def test_a_copy_that_fails_ends_its_read_back_and_says_why(tmp_path: Path) -> None:
    source = tmp_path / "gone.img"  # no such file
    with pytest.raises(OSError):
        laydown.copy_verified(source, tmp_path / "slot.img", hashlib.sha256(b"").hexdigest())
    assert threading.active_count() == 1  # no read-back thread left waiting
