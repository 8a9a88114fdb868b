"""Looks: colour, mono and basic (ASCII-only, for serial consoles).

A `Style` carries the urwid palette and every glyph a widget draws, so no widget hard-codes
a Unicode character: in basic mode a vt100 on a serial line gets only bytes below 0x80.
Text that comes from pages (labels, values, messages) passes through `Style.text()`, which
folds common typography to ASCII and replaces anything else in basic mode.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

from ovirt_node.core.namedtuple import NamedTuple

Mode = Literal["color", "mono", "basic"]

# (name, foreground, background, mono) — the mono column is used when the screen has 1 colour.
_COLOR: list[tuple[str, str, str, str]] = [
    ("body", "light gray", "black", ""),
    ("header", "white,bold", "dark blue", "standout"),
    ("footer", "black", "light gray", "standout"),
    ("menu", "light gray", "black", ""),
    ("menu focus", "black", "light cyan", "standout"),
    ("menu current", "white,bold", "black", "bold"),
    ("title", "white,bold", "black", "bold"),
    ("label", "light gray", "black", ""),
    ("field", "white", "dark gray", "underline"),
    ("field focus", "black", "light cyan", "standout"),
    ("error", "light red,bold", "black", "bold"),
    ("notice", "yellow", "black", ""),
    ("good", "light green", "black", ""),
    ("disabled", "dark gray", "black", ""),
    ("button", "white,bold", "black", "bold"),
    ("button focus", "black", "light cyan", "standout"),
    ("button disabled", "dark gray", "black", ""),
    ("dialog", "black", "light gray", ""),
    ("dialog title", "dark blue,bold", "light gray", "bold"),
    ("dialog error", "dark red,bold", "light gray", "bold"),
    ("dialog button", "black", "light gray", ""),
    ("dialog button focus", "white,bold", "dark blue", "standout"),
    ("lock", "white", "dark blue", ""),
    ("too small", "white,bold", "dark red", "standout"),
]

#: Every display attribute name the widgets use.
ATTR_NAMES: tuple[str, ...] = tuple(entry[0] for entry in _COLOR)


class Style(NamedTuple):
    """Palette plus glyphs for one display mode."""

    mode: Mode
    ellipsis: str
    radio_on: str
    radio_off: str
    check_on: str
    check_off: str
    #: LineBox corners and lines: tl, t, tr, l, r, bl, b, br.
    box: tuple[str, str, str, str, str, str, str, str]
    rule: str
    #: Table scroll bar: thumb, trough, and the up/down end markers.
    scroll_thumb: str
    scroll_trough: str
    scroll_ends: tuple[str, str]

    @property
    def ascii(self) -> bool:
        return self.mode == "basic"

    @property
    def colors(self) -> int:
        return 16 if self.mode == "color" else 1

    def palette(self) -> list[tuple[str, str, str, str]]:
        if self.mode == "color":
            return list(_COLOR)
        # mono and basic: the terminal's own colours, emphasis only through the mono column
        return [(name, "default", "default", mono) for name, _fg, _bg, mono in _COLOR]

    def text(self, text: str) -> str:
        """`text` as this mode may show it: unchanged, or folded to ASCII in basic mode."""
        return to_ascii(text) if self.ascii else text


_TYPOGRAPHY = {
    "\u2026": "...",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2191": "^",
    "\u2193": "v",
    "\u2013": "-",
    "\u2014": "--",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2022": "*",
    "\u00a0": " ",
    "\u00d7": "x",
    "\u2713": "x",
    "\u2500": "-",
    "\u2502": "|",
}


def to_ascii(text: str) -> str:
    """Fold text to printable ASCII: known typography by table, accents dropped, else "?"."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
        elif char in _TYPOGRAPHY:
            out.append(_TYPOGRAPHY[char])
        else:
            base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(base or "?")
    return "".join(out)


RICH_BOX = ("\u250c", "\u2500", "\u2510", "\u2502", "\u2502", "\u2514", "\u2500", "\u2518")
ASCII_BOX = ("+", "-", "+", "|", "|", "+", "-", "+")


def style_for(mode: Mode) -> Style:
    if mode == "basic":
        return Style("basic", "...", "(*)", "( )", "[X]", "[ ]", ASCII_BOX, "-", "#", "|", ("^", "v"))
    return Style(mode, "\u2026", "(\u2022)", "( )", "[X]", "[ ]", RICH_BOX, "\u2500",
                 "\u2588", "\u2502", ("\u25b2", "\u25bc"))
