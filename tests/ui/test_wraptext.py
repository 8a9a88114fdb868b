"""Text at 80x24: whole words on each line, and a path too long for a line broken after a
slash, never inside a name."""

from __future__ import annotations

import urwid

from ovirt_node.ui.wraptext import LabelledText, WrapText, wrap

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


def _rows(widget: urwid.Widget, cols: int) -> list[tuple[list[tuple[object, bytes]], str]]:
    """Each row's (attribute, text) runs and its text."""
    canvas = widget.render((cols,))
    return [([(attr, text) for attr, _cs, text in row], "".join(t.decode() for _a, _c, t in row))
            for row in canvas.content()]


def test_a_labelled_value_draws_as_a_columns_of_label_and_wrapped_value_would() -> None:
    value = "Hardware virtualization available (vmx), /dev/kvm missing (kvm module not loaded)"
    widget = LabelledText(("label", "Virtualization"), 18, value)
    reference = urwid.Columns([(18, urwid.Text(("label", "Virtualization"))), WrapText(value)], dividechars=1)
    assert widget.rows((60,)) == reference.rows((60,)) == 2
    assert [text for _runs, text in _rows(widget, 60)] == [text for _runs, text in _rows(reference, 60)]
    first, second = _rows(widget, 60)
    assert first[1].rstrip() == "Virtualization     Hardware virtualization available (vmx),"
    assert second[1].startswith(" " * 19 + "/dev/kvm missing")  # under the value, not the label
    assert ("label", b"Virtualization") in first[0]


def test_a_labelled_value_keeps_its_attribute_and_wraps_a_long_label_in_its_column() -> None:
    widget = LabelledText(("label", "A label longer than its column"), 18, ("error", "unavailable (timed out)"))
    rows = _rows(widget, 50)
    assert [text.rstrip() for _runs, text in rows] == ["A label longer     unavailable (timed out)", "than its column"]
    assert ("error", b"unavailable (timed out)") in rows[0][0]
    widget.set_value("short")
    assert widget.value == "short" and _rows(widget, 50)[0][1].rstrip() == "A label longer     short"
