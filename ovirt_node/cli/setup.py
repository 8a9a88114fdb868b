"""`ovirt-node-setup`: the setup TUI on the console, a serial line or over SSH.

Start-up is kept short (the budget: the first full Status screen within 1.2x of a one-list
urwid app, `make bench`): nothing heavy is imported before the arguments are parsed, the UI
modules only once the terminal is known to be usable, and an area's section (and Augeas) only
when a page reads it: the Status page's values are read as plain text. Logs go to
<root>/var/log/ovirt-node/setup.log (and the journal when python-systemd is installed), never
to the terminal the UI draws on.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from ovirt_node.cli.common import add_bus_option, add_common_options, console_parser, root_from

if TYPE_CHECKING:
    import argparse

    from ovirt_node.core.model import Section
    from ovirt_node.core.root import Root
    from ovirt_node.system.machine.model import Machine
    from ovirt_node.ui.palette import Mode

LOG_PATH = "/var/log/ovirt-node/setup.log"

log = logging.getLogger("ovirt_node.setup")


def build_parser() -> argparse.ArgumentParser:
    parser = console_parser("ovirt-node-setup", __doc__.splitlines()[0])
    add_common_options(parser)
    add_bus_option(parser)
    parser.add_argument("--machine", metavar="FILE|NAME",
                        help="describe the machine from a JSON profile (a file, or a name in ovirt_node/data/machines) "
                             "instead of probing it")
    parser.add_argument("--basic", action="store_true", help="ASCII only, no colour (serial consoles)")
    parser.add_argument("--mono", action="store_true", help="no colour")
    parser.add_argument("--login-tty", metavar="TTY",
                        help="the terminal the login was on, when this program runs on another one (sudo's "
                             "pseudo-terminal): basic mode is chosen on a serial line (/dev/ttyS*) as on its own")
    parser.add_argument("--demo", action="store_true", help="demo mode: the lock screen's password is 'demo'")
    parser.add_argument("--self-test", action="store_true",
                        help="build the first screen without a terminal and exit (the boot's health check)")
    return parser


#: The options as `quick_args` reads them: option -> (attribute, takes a value, default).
#: tests/unit/test_setup_args.py holds this table equal to build_parser()'s options.
QUICK_OPTIONS: dict[str, tuple[str, bool, str | bool | None]] = {
    "--root": ("root", True, "/"), "--bus": ("bus", True, None), "--machine": ("machine", True, None),
    "--login-tty": ("login_tty", True, None), "--debug": ("debug", False, False), "--basic": ("basic", False, False),
    "--mono": ("mono", False, False), "--demo": ("demo", False, False), "--self-test": ("self_test", False, False),
}


def quick_args(argv: Sequence[str]) -> SimpleNamespace | None:
    """The arguments, read without argparse when they are the usual ones (`--root DIR`,
    `--machine demo`, the flags): importing and building argparse costs the first screen
    about 2 ms. Anything else (--help, --version, `--root=DIR`, an abbreviation, a missing
    value, an unknown word) gives None, and argparse reads them and answers as always."""
    values = {name: default for name, _takes, default in QUICK_OPTIONS.values()}
    words = iter(argv)
    for word in words:
        option = QUICK_OPTIONS.get(word)
        if option is None:
            return None
        name, takes_value, _default = option
        if takes_value:
            value = next(words, None)
            if value is None or value.startswith("-"):
                return None
            values[name] = value
        else:
            values[name] = True
    return SimpleNamespace(**values)


def want_basic(env: Mapping[str, str], tty: str | None) -> bool:
    """Basic mode on a serial line with a plain terminal type (a vt100 cannot draw Unicode)."""
    from ovirt_node.ui.terminal import serial_line

    return serial_line(env, tty)


def display_mode(args: argparse.Namespace | SimpleNamespace, env: Mapping[str, str], tty: str | None) -> Mode:
    """The look from the options, the terminal's terminfo, the locale and NO_COLOR."""
    from ovirt_node.ui.terminal import choose_mode

    return choose_mode(env, tty, basic=args.basic, mono=args.mono)


def _tty_name() -> str | None:
    try:
        return os.ttyname(sys.stdin.fileno())
    except OSError:
        return None


def setup_logging(root: Root, debug: bool) -> Path:
    """File log under the root (the directory is created), plus the journal if available."""
    path = root(LOG_PATH)
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    top = logging.getLogger()
    top.handlers[:] = [handler]
    top.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("urwid").setLevel(logging.WARNING)
    from ovirt_node.system import systemd_journal

    journal = systemd_journal.handler("ovirt-node-setup")
    if journal is not None:
        top.addHandler(journal)
    return path


def load_machine(spec: str | None, root: Root) -> Machine:
    from ovirt_node.system.machine.profile import load_profile, profile_path

    if not spec:
        from ovirt_node.system.machine.probe import probe  # not for a profile (the demo)

        return probe(root)
    if "/" in spec or spec.endswith(".json"):
        return load_profile(Path(spec))
    return load_profile(profile_path(spec))


def _sections(plugin_sections: Sequence[Section]) -> list[Section]:
    """The engine's sections, built when it first needs one: importing every section's
    module before the first screen would cost a sixth of the start-up budget."""
    from ovirt_node.areas.registry import all_sections

    return all_sections(plugin_sections)


def _section(name: str) -> Section | None:
    """One built-in section, built alone: the Status page reads two of ten."""
    from ovirt_node.areas.registry import builtin_section

    return builtin_section(name)


def main(argv: Sequence[str] | None = None) -> int:
    # Start-up makes a hundred thousand objects that live as long as the session (modules,
    # classes, widgets): the cyclic collector would walk them about a hundred times for
    # nothing before the first screen. It is paused until that screen is drawn (the
    # Application turns it back on), or until main returns.
    gc.disable()
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C while starting, before the TUI takes the terminal
        print("ovirt-node-setup: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    finally:
        gc.enable()


def _main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else argv
    args = quick_args(words) or build_parser().parse_args(words)
    root = root_from(args)
    if args.self_test:
        return _self_test(args, root)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print("ovirt-node-setup: needs a terminal (use ovirt-node-config in scripts)", file=sys.stderr)
        return 1
    log_path = setup_logging(root, args.debug)
    # The admin shell names its login line: under sudo, stdin is sudo's /dev/pts/N.
    mode = display_mode(args, os.environ, args.login_tty or _tty_name())
    log.info("starting: root %s, machine %s, mode %s, demo %s, login tty %s", root, args.machine or "probed", mode,
             args.demo, args.login_tty or _tty_name())

    from ovirt_node.system.machine.profile import ProfileError

    try:
        machine = load_machine(args.machine, root)
    except (ProfileError, ValueError) as exc:
        print(f"ovirt-node-setup: {exc}", file=sys.stderr)
        return 2

    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine

    # The engine reads nothing (no Augeas) until a page needs it: the Status page's values
    # are read from the files as plain text (pages/status.py), so the first screen does not
    # wait for lenses, nor pay for their memory.
    engine = Engine(Context(root=root, bus=args.bus, machine=machine), lambda: _sections(plugins.sections),
                    one=_section)
    from ovirt_node.ui.app import Application
    from ovirt_node.ui.auth import default_authenticator
    from ovirt_node.ui.page import PageContext
    from ovirt_node.ui.plugins import discover

    plugins = discover()
    ctx = PageContext(engine=engine, machine=machine, root=root, demo=args.demo)
    try:
        authenticator = default_authenticator(args.demo)
    except RuntimeError as exc:  # pam.PamUnavailable: no libpam on this system
        print(f"ovirt-node-setup: {exc}", file=sys.stderr)
        return 1
    app = Application(ctx, plugins.pages, authenticator, mode=mode)
    try:
        app.run()
    except KeyboardInterrupt:
        pass
    except Exception:
        log.exception("the setup TUI failed")
        print(f"ovirt-node-setup: failed; see {log_path}", file=sys.stderr)
        return 1
    log.info("finished")
    return 0


def _self_test(args: argparse.Namespace | SimpleNamespace, root: Root) -> int:
    """The first screen built and drawn off screen: the pages import, the engine reads."""
    import urwid

    from ovirt_node.core.context import Context
    from ovirt_node.core.engine import Engine
    from ovirt_node.ui.app import Application
    from ovirt_node.ui.auth import DemoAuthenticator
    from ovirt_node.ui.page import PageContext, load_page
    from ovirt_node.ui.plugins import discover

    class OffScreen(urwid.display.BaseScreen):
        def draw_screen(self, size: tuple[int, int], canvas: urwid.Canvas) -> None:
            pass  # nothing is shown: the self-test renders the canvas itself

    try:
        machine = load_machine(args.machine, root)
        plugins = discover()
        pages = [load_page(page) for page in plugins.pages]  # every page's module imports, not only the first's
        engine = Engine(Context(root=root, bus=args.bus, machine=machine), lambda: _sections(plugins.sections))
        ctx = PageContext(engine=engine, machine=machine, root=root, demo=args.demo)
        app = Application(ctx, pages, DemoAuthenticator(), mode="basic", screen=OffScreen())
        lines = [line for line in app.text((80, 24)).splitlines() if line.strip()]
    except Exception as exc:  # whatever breaks the TUI is the answer, with its type
        log.exception("self-test failed")
        print(f"ovirt-node-setup: self-test failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if not app.current or len(lines) < 3:
        print(f"ovirt-node-setup: self-test failed: the first screen is empty ({len(lines)} lines)", file=sys.stderr)
        return 1
    print(f"the setup TUI built its first screen ({app.current}, {len(pages)} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
