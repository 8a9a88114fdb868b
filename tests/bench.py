"""`make bench`: performance goals as ratios measured in one run (never timed tests).

Augeas: a handle loading only the lenses the config models need, against full lens
autoload (what `augeas.Augeas()` does by default), on the same demo root.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import augeas

from ovirt_node.config.aug import Augeas
from ovirt_node.config.context import Context
from ovirt_node.config.engine import Engine
from ovirt_node.config.registry import all_sections
from ovirt_node.system.root import Root

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo-root"


def median_ms(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        shutil.copytree(DEMO, root)
        sections = all_sections()
        files = [f for s in sections for f in s.lens_files]
        ours = median_ms(lambda: Augeas(Root.at(root), files).close())
        full_demo = median_ms(lambda: augeas.Augeas(root=str(root)).close(), repeat=3)
        full_host = median_ms(lambda: augeas.Augeas(root="/").close(), repeat=3)

        def read_all() -> None:
            engine = Engine(Context(root=Root.at(root)), all_sections())
            engine.read()

        read = median_ms(read_all)
    print(f"augeas: needed lenses only ({len(files) + 1} files): {ours:8.1f} ms")
    print(f"augeas: full autoload, demo root:            {full_demo:8.1f} ms  ({full_demo / ours:.1f}x ours)")
    print(f"augeas: full autoload, this host's /:         {full_host:8.1f} ms  ({full_host / ours:.1f}x ours)")
    print(f"engine: read every key of every section:     {read:8.1f} ms  (budget 100 ms: {read / 100:.2f}x)")


if __name__ == "__main__":
    main()
