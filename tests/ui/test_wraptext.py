"""Text at 80x24: whole words on each line, and a path too long for a line broken after a
slash, never inside a name."""

from __future__ import annotations

import urwid

from ovirt_node.ui.wraptext import WrapText, wrap

BUNDLE = "/data/support/ovirt-node-support-demo-node.example.com-20261206-201500.tar.xz"


def test_help_wraps_between_words() -> None:
    text = "NTP servers (chrony), comma-separated; off disables time synchronisation"
    lines = wrap(text, 40)
    assert lines == ["NTP servers (chrony), comma-separated;", "off disables time synchronisation"]
    assert all(len(line) <= 40 for line in lines)


def test_a_long_path_breaks_after_its_separators() -> None:
    lines = wrap(f"{BUNDLE}\n\n12 files", 40)
    assert lines[0] == "/data/support/ovirt-node-support-demo-"
    assert "".join(lines[:-2]) == BUNDLE  # nothing lost or added inside the path
    assert all(len(line) <= 40 and (line.endswith(("/", "-", ".")) or line == lines[-3]) for line in lines[:-2])
    assert lines[-2:] == ["", "12 files"]


def test_a_word_with_no_separator_is_cut_only_at_the_edge() -> None:
    assert wrap("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_the_widget_lays_out_again_for_each_width() -> None:
    widget = WrapText(("notice", BUNDLE))
    narrow = [line.decode().rstrip() for line in widget.render((30,)).text]
    wide = [line.decode().rstrip() for line in widget.render((100,)).text]
    assert wide == [BUNDLE] and "".join(narrow) == BUNDLE and len(narrow) == widget.rows((30,))
    assert widget.source == BUNDLE
    canvas = urwid.Filler(widget, "top").render((30, 5))
    assert all(len(line) <= 30 for line in canvas.text)
