"""The kernel console (3.x's Status "Console path"): the `console=` arguments of the node's boot
menu, so the node's messages and a login go to that device from the next boot on.

The only place the setting lives is the grub.cfg the installer wrote on the EFI system
partition (`/boot/efi/<grub-dir>/grub.cfg`; the ESP is mounted there only while the menu is
read or written, see core/esp.py): every entry's `linux` line is rewritten, its `console=`
words replaced and the others kept. Nothing goes into /etc/default/ovirt and nothing is
persisted (the ESP is not the overlay), and a configuration reset leaves it (the console is
part of the way in, as SSH is).

A value is one or more console devices separated by spaces, each a name of a character device
the node has (a `/dev/` before it is dropped), a serial port with its speed and framing as the
kernel takes them (`ttyS0,115200n8`); empty removes every `console=`. The device must exist
on the node: /sys/class/tty lists it, or /dev holds it as a character device.
"""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ovirt_node.core.context import Context
from ovirt_node.core.esp import ESP, esp_mounted
from ovirt_node.core.model import Key, Section
from ovirt_node.core.run import Runner
from ovirt_node.core.valid import Regex

if TYPE_CHECKING:
    from ovirt_node.core.transaction import Step

log = logging.getLogger(__name__)

KEY = "boot.console"
#: Speeds the kernel's serial console takes (termios' rates from 1200 up).
SPEEDS = ("1200", "2400", "4800", "9600", "19200", "38400", "57600", "115200", "230400", "460800", "500000",
          "576000", "921600", "1000000", "1152000", "1500000", "2000000", "2500000", "3000000", "3500000",
          "4000000")
_SPEC = re.compile(r"(?P<name>[A-Za-z][A-Za-z0-9_]{0,31})"
                   r"(?:,(?P<speed>[0-9]+)(?P<parity>[noe]?)(?P<bits>[5-8]?)(?P<flow>r?))?")
#: Consoles that take no speed: the virtual terminals and the hypervisor's console.
_NO_OPTIONS = re.compile(r"tty[0-9]+|hvc[0-9]+")
_EXAMPLES = "such as ttyS0, ttyS1,115200n8, tty0 or hvc0"


def console_words(value: str) -> list[str]:
    """The consoles of a value as the kernel line gets them: split at spaces, `/dev/` dropped."""
    return [word.removeprefix("/dev/") for word in value.split()]


def device_name(console: str) -> str:
    return console.partition(",")[0]


def spec_problem(word: str) -> str | None:
    """Why `word` (one console, `/dev/` dropped) is not what `console=` takes; None when it is."""
    found = _SPEC.fullmatch(word)
    if found is None:
        return f"{word!r} is not a console device ({_EXAMPLES})"
    if found["speed"] is None:
        return None
    if _NO_OPTIONS.fullmatch(found["name"]):
        return f"{found['name']} takes no speed (only a serial port does, such as ttyS0,115200n8)"
    if found["speed"] not in SPEEDS:
        return f"{found['speed']} is not a serial speed (e.g. 9600, 38400, 57600, 115200)"
    return None


#: The whole value's shape, for the JSON Schema (`check` says which word is wrong, and why).
_WORD = re.sub(r"\(\?P<\w+>", "(?:", _SPEC.pattern)
_LIST = rf"(?:(?:/dev/)?{_WORD}(?: (?:/dev/)?{_WORD})*)?"


class ConsoleList(Regex):
    """Empty, or console devices separated by spaces."""

    def __init__(self) -> None:
        super().__init__(_LIST, f"empty, or console devices separated by spaces ({_EXAMPLES})")

    def check(self, value: str) -> str | None:
        if value.strip() != value or "  " in value or any(c.isspace() and c != " " for c in value):
            return "must be console devices separated by single spaces, without spaces around them"
        for word in console_words(value):
            problem = spec_problem(word)
            if problem:
                return f"must be empty or console devices: {problem}"
        return None


class ConsoleKey(Key):
    """The key whose stored spelling drops `/dev/`, as the kernel line gets it."""

    def canonical(self, value: str) -> str:
        return " ".join(console_words(value))


@dataclass(frozen=True)
class BootSettings:
    console: str


def grub_cfg(ctx: Context, section: Section) -> str:
    return f"{ESP}/{section.platform(ctx).path('grub-dir')}/grub.cfg"


def menu_readable(ctx: Context) -> AbstractContextManager[None]:
    """The ESP mounted while the menu is read (core/esp.py), unmounted after if mounted here;
    when it cannot be mounted, the read goes on (and finds no menu). A fresh runner, not the
    context's: a dry run (--check) must read the menu too."""
    return esp_mounted(ctx.root, Runner(), strict=False)


def tty_devices(ctx: Context) -> list[str]:
    """The terminals the kernel has (/sys/class/tty), the virtual ones past tty0 left out."""
    folder = ctx.root("/sys/class/tty")
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except OSError:
        return []
    return [n for n in names if not re.fullmatch(r"tty[1-9][0-9]*|console|ptmx|tty", n)]


def device_exists(ctx: Context, name: str) -> bool:
    if ctx.root(f"/sys/class/tty/{name}").exists():
        return True
    try:
        return stat.S_ISCHR(ctx.root(f"/dev/{name}").stat().st_mode)
    except OSError:
        return False


class BootConsole(Section):
    name = "boot"
    title = "Boot console"
    settings = BootSettings
    keys = (
        ConsoleKey(KEY, None, ConsoleList(), help="kernel console(s) from the next boot, e.g. ttyS0,115200n8 "
                   "(several: separated by spaces; empty: no console= argument)"),
    )

    def read(self, ctx: Context) -> dict[str, str | None]:
        from ovirt_node.core.grubcfg import first_kernel_args

        try:
            with menu_readable(ctx):
                text = ctx.root(grub_cfg(ctx, self)).read_text(errors="replace")
        except OSError:
            return {KEY: None}  # no boot menu of our own: a live or network boot
        consoles = [arg.removeprefix("console=") for arg in first_kernel_args(text) if arg.startswith("console=")]
        return {KEY: " ".join(console_words(" ".join(consoles)))}

    def check_change(self, ctx: Context, current: Mapping[str, str], desired: Mapping[str, str]) -> dict[str, str]:
        wanted = desired.get(KEY, "")
        if wanted == current.get(KEY, ""):
            return {}
        path = grub_cfg(ctx, self)
        with menu_readable(ctx):
            menu = ctx.root(path).is_file()
        if not menu:
            return {KEY: f"this node has no boot menu of its own at {path} (a live or network boot takes "
                         "console= from its boot media); nothing was changed"}
        for console in console_words(wanted):
            name = device_name(console)
            if not device_exists(ctx, name):
                known = ", ".join(tty_devices(ctx)[:8]) or "none found"
                return {KEY: f"no console device {name} on this node (/dev/{name} is no character device; "
                             f"its consoles: {known})"}
        return {}

    def plan(self, ctx: Context, old: BootSettings, new: BootSettings) -> Sequence[Step]:
        from ovirt_node.areas.bootconsole_step import SetKernelConsoles

        return [SetKernelConsoles(grub_cfg(ctx, self), tuple(console_words(new.console)))]
