"""The look a terminal gets: terminfo's colours, the locale's encoding, NO_COLOR, the serial
line; and the escapes the mono/basic screen sends."""

from __future__ import annotations

import pytest

from ovirt_node.ui.terminal import choose_mode, plain_screen, terminal_colors


@pytest.mark.parametrize(("term", "colors"), [("vt100", -1), ("vt220", -1), ("dumb", -1), ("linux", 8),
                                              ("xterm-256color", 256), ("no-such-terminal", -1)])
def test_terminfo_colours(term: str, colors: int) -> None:
    assert terminal_colors(term) == colors


@pytest.mark.parametrize(("env", "tty", "utf8", "mode"), [
    ({"TERM": "xterm-256color"}, "/dev/pts/1", True, "color"),
    ({"TERM": "vt100"}, "/dev/pts/1", True, "basic"),  # no colours: a hardware-class terminal
    ({"TERM": "dumb"}, "/dev/pts/1", True, "basic"),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, "/dev/pts/1", True, "mono"),
    ({"TERM": "linux", "NO_COLOR": "yes"}, "/dev/tty1", True, "mono"),  # not only on ttyS*
    ({"TERM": "xterm-256color", "NO_COLOR": ""}, "/dev/pts/1", True, "color"),  # empty: not set
    ({"TERM": "xterm-256color"}, "/dev/pts/1", False, "basic"),  # a non-UTF-8 locale: ASCII
    ({"TERM": "linux"}, "/dev/ttyS0", True, "basic"),  # the serial line as before
    ({"TERM": "linux"}, "/dev/tty1", True, "color"),
])
def test_choose_mode(env: dict[str, str], tty: str, utf8: bool, mode: str) -> None:
    assert choose_mode(env, tty, utf8=utf8) == mode


def test_the_options_still_win() -> None:
    env = {"TERM": "xterm-256color"}
    assert choose_mode(env, None, basic=True, utf8=True) == "basic"
    assert choose_mode(env, None, mono=True, utf8=True) == "mono"


def test_one_colour_sends_only_attribute_sgrs() -> None:
    screen = plain_screen()
    screen.set_terminal_properties(colors=1)
    bold = screen.AttrSpec("default,bold,standout", "default")
    assert screen._attrspec_to_escape(bold) == "\x1b[0;1;7m"
    screen.set_terminal_properties(colors=16)
    assert "44" in screen._attrspec_to_escape(screen.AttrSpec("white", "dark blue"))
