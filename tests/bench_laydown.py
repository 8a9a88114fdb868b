"""Image lay-down throughput against `dd bs=4M oflag=direct`, the same 256 MiB image to the
same target, in one run. Run by tests/bench.py inside a private mount namespace (root).

The target is an ext4 filesystem on a loop device with direct I/O to its backing file, so
both writers reach the host's disk instead of the page cache (with a buffered loop device dd's
direct writes only measure a memory copy, and any fsync pays for the whole writeback).
Reported: the copy (direct I/O and fsync, what the installer does before its check) and the
whole lay-down including the read-back verification against the image's sha256.
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

from ovirt_node.installer import laydown

SIZE_MIB = 256
ROUNDS = 5


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
        dd, copy, whole = [], [], []
        original = laydown.hash_from_device
        verify_times: list[float] = []

        def timed_verify(path: Path) -> str:
            start = time.perf_counter()
            result = original(path)
            verify_times.append(time.perf_counter() - start)
            return result

        laydown.hash_from_device = timed_verify  # type: ignore[assignment]
        try:
            for _ in range(ROUNDS):
                for name in ("dd.img", "ours.img"):
                    (mount / name).unlink(missing_ok=True)
                os.sync()
                start = time.perf_counter()
                sh("dd", f"if={source}", f"of={mount / 'dd.img'}", "bs=4M", "oflag=direct", "status=none")
                dd.append(time.perf_counter() - start)
                start = time.perf_counter()
                laydown.copy_verified(source, mount / "ours.img", digest)
                whole.append(time.perf_counter() - start)
                copy.append(whole[-1] - verify_times[-1])
        finally:
            laydown.hash_from_device = original  # type: ignore[assignment]
            sh("umount", str(mount))
            sh("losetup", "--detach", loop)
    d, c, w = statistics.median(dd), statistics.median(copy), statistics.median(whole)
    mib_s = SIZE_MIB / d
    print(f"laydown: dd {d * 1000:6.0f} ms ({mib_s:.0f} MiB/s), our copy {c * 1000:6.0f} ms: "
          f"{d / c:.2f}x dd's throughput (target >= 0.9)")
    print(f"laydown: with the read-back verification {w * 1000:6.0f} ms: {d / w:.2f}x dd's throughput")


if __name__ == "__main__":
    sys.exit(main())
