"""`make bench`: performance goals as ratios measured in one run (never timed tests).

Augeas: a handle loading only the lenses the config models need, against full lens
autoload (what `augeas.Augeas()` does by default), on the same demo root.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import augeas

from ovirt_node.areas.registry import all_sections
from ovirt_node.core.aug import Augeas
from ovirt_node.core.context import Context
from ovirt_node.core.engine import Engine
from ovirt_node.core.resources import copy_demo_root
from ovirt_node.core.root import Root


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
        copy_demo_root(root)
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
    config_get()
    tui()
    laydown()


def config_get() -> None:
    """`ovirt-node-config get` as a whole process against `python -c 'import augeas'`, run in
    turn, the ratio taken round by round: reading one key imports its own area alone, never the
    UI, the other areas or the plugins (budget 1.3x). `show` (every section, the plugins' too)
    is printed beside it, without a budget.

    The package is byte-compiled first, as pip installs it (on the node and from the wheel): a
    checkout run with PYTHONDONTWRITEBYTECODE would otherwise compile every module each run."""
    import compileall
    import subprocess
    import sys

    import ovirt_node

    compileall.compile_dir(Path(ovirt_node.__file__).parent, quiet=1)
    config = str(Path(sys.executable).parent / "ovirt-node-config")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        copy_demo_root(root)

        def timed(argv: list[str]) -> float:
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            return (time.perf_counter() - start) * 1000

        def paired(argv: list[str], rounds: int) -> tuple[float, float, float]:
            """Medians of the command, of `import augeas`, and of their ratio round by round
            (the two back to back see the same load on this shared machine)."""
            pairs = [(timed(argv), timed([sys.executable, "-c", "import augeas"])) for _ in range(rounds)]
            return (statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs),
                    statistics.median(p[0] / p[1] for p in pairs))

        get, bare, ratio = paired([config, "--root", str(root), "get", "ssh.port"], 15)
        show, show_bare, show_ratio = paired([config, "--root", str(root), "show"], 7)
    print(f"config: get ssh.port {get:6.1f} ms vs import augeas {bare:6.1f} ms: {ratio:.2f}x (budget 1.3x)")
    print(f"config: show         {show:6.1f} ms vs import augeas {show_bare:6.1f} ms: {show_ratio:.2f}x")


def laydown() -> None:
    """The installer's image copy against dd (needs root: a loop device and a mount)."""
    import os
    import subprocess
    import sys

    if os.geteuid() != 0:
        print("laydown: skipped (needs root for a loop device)")
        return
    subprocess.run(["unshare", "-m", "--propagation", "private", "--", sys.executable, "-m", "tests.bench_laydown"],
                   check=True)


def tui() -> None:
    """Setup TUI: the console budget (first full Status screen and peak memory against a
    one-list urwid app, both in tmux: tests/bench_console.py), then key-to-redraw in process
    (page switches and field edits)."""
    from urwid.testing import ScriptedScreen

    from ovirt_node.pages.plugins import PluginsPage
    from ovirt_node.ui.app import Application
    from ovirt_node.ui.auth import DemoAuthenticator
    from ovirt_node.ui.worker import Manual
    from tests.bench_console import console
    from tests.ui.pages import EverythingPage, RemoteLogPage, make_context

    console()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "root"
        copy_demo_root(root)
        app = Application(make_context(root), [RemoteLogPage, EverythingPage, PluginsPage], DemoAuthenticator(),
                          screen=ScriptedScreen(size=(80, 24)), dispatcher=Manual())
        app.keys("down", "down", "up", "up")  # build every page once

        def switch() -> None:
            app.keys("down")
            app.text()
            app.keys("up")
            app.text()

        switching = median_ms(switch, repeat=25) / 2
        app.keys("tab")

        def edit() -> None:
            app.keys("1")
            app.text()
            app.keys("backspace")
            app.text()

        editing = median_ms(edit, repeat=25) / 2
    print(f"tui: key to redraw, page switch {switching:5.1f} ms, field edit {editing:5.1f} ms (budget 3 ms)")


if __name__ == "__main__":
    main()
