"""Which look a terminal gets, from what it says it can do.

- `--basic`, a serial line (/dev/ttyS*) with a plain terminal type, a terminal whose terminfo
  entry has fewer than 8 colours (vt100, vt220, dumb: hardware-class terminals, which draw no
  Unicode lines either) or a locale whose encoding is not UTF-8: basic (ASCII, no colour).
- `--mono` or `NO_COLOR` set to anything but "" (no-color.org): mono (no colour escapes).
- Otherwise colour.

Nothing here imports urwid: the choice is made before the UI modules load.
"""

from __future__ import annotations

import codecs
import locale
import os
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ovirt_node.ui.palette import Mode

SERIAL_TERMS = frozenset({"vt100", "vt220", "linux"})
#: Fewer colours than this and the terminal is treated as a plain (ASCII, colourless) one.
MIN_COLORS = 8


def serial_line(env: Mapping[str, str], tty: str | None) -> bool:
    """A serial line with a plain terminal type (a vt100 on ttyS0 cannot draw Unicode)."""
    return env.get("TERM", "") in SERIAL_TERMS and bool(tty) and str(tty).startswith("/dev/ttyS")


#: Where ncurses looks for compiled terminfo entries, after $TERMINFO and ~/.terminfo.
TERMINFO_DIRS = ("/etc/terminfo", "/lib/terminfo", "/usr/share/terminfo")
_MAGIC_16, _MAGIC_32 = 0o432, 0o1036
_COLORS_INDEX = 13  # max_colors in terminfo's numeric capabilities (term(5))


def _terminfo_file(term: str, env: Mapping[str, str]) -> Path | None:
    dirs = [env.get("TERMINFO", ""), str(Path(env.get("HOME", "/nonexistent")) / ".terminfo"),
            *env.get("TERMINFO_DIRS", "").split(":"), *TERMINFO_DIRS]
    for directory in filter(None, dirs):
        for sub in (term[0], f"{ord(term[0]):x}"):  # Linux layout, and the hex one of macOS
            path = Path(directory, sub, term)
            if path.is_file():
                return path
    return None


def terminal_colors(term: str, env: Mapping[str, str] | None = None) -> int:
    """The `colors` of `term`'s compiled terminfo entry (term(5)); -1 when it has none or the
    entry is missing or unreadable. Read from the file: curses.setupterm works once per process."""
    if not term or "/" in term or term.startswith("."):
        return -1
    path = _terminfo_file(term, os.environ if env is None else env)
    if path is None:
        return -1
    try:
        data = path.read_bytes()
        magic, names, bools, nums = struct.unpack_from("<5h", data)[:4]
        width = {_MAGIC_16: 2, _MAGIC_32: 4}.get(magic)
        if width is None or nums <= _COLORS_INDEX:
            return -1
        start = 12 + names + bools
        start += start % 2  # the numbers start on an even byte
        (value,) = struct.unpack_from("<h" if width == 2 else "<i", data, start + width * _COLORS_INDEX)
        return int(value) if value >= 0 else -1
    except (OSError, struct.error):
        return -1


def utf8_locale() -> bool:
    """Whether the locale's character encoding (LC_CTYPE) is UTF-8."""
    try:
        name = locale.nl_langinfo(locale.CODESET) or locale.getpreferredencoding(False)
        return codecs.lookup(name).name == "utf-8"
    except (LookupError, AttributeError):
        return False


def choose_mode(env: Mapping[str, str], tty: str | None, *, basic: bool = False, mono: bool = False,
                colors: int | None = None, utf8: bool | None = None) -> Mode:
    """The display mode for this terminal; `colors`/`utf8` are asked of terminfo and the
    locale when not given."""
    if basic or serial_line(env, tty):
        return "basic"
    if colors is None:
        colors = terminal_colors(env.get("TERM", ""), env)
    if utf8 is None:
        utf8 = utf8_locale()
    if colors < MIN_COLORS or not utf8:
        return "basic"
    if mono or env.get("NO_COLOR", ""):
        return "mono"
    return "color"


def plain_screen() -> Any:
    """urwid's terminal screen, except that with one colour (mono, basic) it sends only the
    attribute SGRs (bold, underline, reverse): urwid would add 39;49 ("default colour"), which
    a vt100 does not know and NO_COLOR asks to leave out."""
    from urwid.display.raw import Screen

    class PlainScreen(Screen):
        def _attrspec_to_escape(self, a: Any) -> str:
            if self.colors != 1:
                return str(super()._attrspec_to_escape(a))
            flags = [code for code, on in (("1", a.bold), ("4", a.underline), ("5", a.blink), ("7", a.standout))
                     if on]
            return f"\x1b[{';'.join(['0', *flags])}m"

    return PlainScreen()
