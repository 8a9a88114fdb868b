"""Image lay-down throughput against `dd bs=4M oflag=direct`, the same 256 MiB image to the
same target, in one run. Run by tests/bench.py inside a private mount namespace (root).

The target is an ext4 filesystem on a loop device with direct I/O to its backing file, so
both writers reach the host's disk instead of the page cache (with a buffered loop device dd's
direct writes only measure a memory copy, and any fsync pays for the whole writeback).
Reported: the copy alone (direct I/O and fsync) and the whole lay-down, where the read-back
follows the copy (the installer's copy_verified), against the image's sha256.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ovirt_node.installer.steps import laydown

SIZE_MIB = 256
ROUNDS = 8


def sh(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def main() -> None:
    with tempfile.TemporaryDirectory(dir="/var/tmp") as tmp:
        work = Path(tmp)
        source = work / "squashfs.img"
        source.write_bytes(os.urandom(SIZE_MIB * 1024 * 1024))
        digest = hashlib.sha256(source.read_bytes()).hexdigest()
        backing = work / "slot.img"
        os.truncate(os.open(backing, os.O_CREAT | os.O_WRONLY, 0o600), 4 * SIZE_MIB * 1024 * 1024)
        sh("mkfs.ext4", "-q", "-F", str(backing))
        loop = sh("losetup", "--find", "--show", "--direct-io=on", str(backing)).strip()
        mount = work / "slot"
        mount.mkdir()
        sh("mount", loop, str(mount))
        dd: list[float] = []
        copy: list[float] = []
        whole: list[float] = []
        try:
            for round_ in range(ROUNDS):
                # Each writer goes first in every other round: the one that follows the other
                # meets the filesystem's and the host's writeback of what was just written.
                for writer in ("dd", "copy", "whole") if round_ % 2 == 0 else ("whole", "copy", "dd"):
                    for name in ("dd.img", "ours.img"):
                        (mount / name).unlink(missing_ok=True)
                    os.sync()
                    start = time.perf_counter()
                    if writer == "dd":
                        sh("dd", f"if={source}", f"of={mount / 'dd.img'}", "bs=4M", "oflag=direct", "status=none")
                        dd.append(time.perf_counter() - start)
                    elif writer == "copy":  # the copy alone, as the installer writes
                        laydown.copy(source, mount / "ours.img")
                        copy.append(time.perf_counter() - start)
                    else:  # the copy with its read-back following it, as the installer lays down
                        laydown.copy_verified(source, mount / "ours.img", digest)
                        whole.append(time.perf_counter() - start)
        finally:
            sh("umount", str(mount))
            sh("losetup", "--detach", loop)
    # The ratio of each round's pair, then their median: the disk's speed drifts between
    # rounds (host writeback), and a pair measured back to back sees the same disk.
    ratio = statistics.median(a / b for a, b in zip(dd, copy, strict=True))
    whole_ratio = statistics.median(a / b for a, b in zip(dd, whole, strict=True))
    d, c, w = statistics.median(dd), statistics.median(copy), statistics.median(whole)
    print(f"laydown: dd {d * 1000:6.0f} ms ({SIZE_MIB / d:.0f} MiB/s), our copy {c * 1000:6.0f} ms: "
          f"{ratio:.2f}x dd's throughput (median of {ROUNDS} paired rounds; target >= 0.9)")
    print(f"laydown: with the read-back verification {w * 1000:6.0f} ms: {whole_ratio:.2f}x dd's throughput")

if __name__ == "__main__":
    sys.exit(main())
