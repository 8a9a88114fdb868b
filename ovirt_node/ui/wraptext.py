"""Text that wraps at word boundaries at any width, and breaks a word longer than a line
(a path, a URL) after one of its separators rather than in the middle of a name.

urwid's own "space" wrapping cuts such a word wherever the line ends ("/data/support/ovirt-
node-supp" / "ort-2026..."); help lines were clipped outright. `WrapText` lays its text out
again for each width it is drawn at.
"""

from __future__ import annotations

from typing import Any

import urwid

#: A long word may break after these (a path's slashes first, then the rest).
SEPARATORS = "/-_.,:=&?"


def _pieces(word: str, width: int) -> list[str]:
    """`word` cut into parts of at most `width` columns, each ending at a separator when one
    lies in reach (else cut hard: a word with none has nowhere better)."""
    parts: list[str] = []
    while len(word) > width:
        cut = max((word.rfind(sep, 0, width) for sep in SEPARATORS), default=-1)
        end = cut + 1 if cut > 0 else width
        parts.append(word[:end])
        word = word[end:]
    return [*parts, word] if word else parts


def wrap(text: str, width: int) -> list[str]:
    """The lines of `text` at `width` columns: words kept whole where they fit; existing
    line breaks kept."""
    if width < 1:
        return text.splitlines() or [""]
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if not line:
                candidate = word
            else:
                candidate = f"{line} {word}"
            if len(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            pieces = _pieces(word, width) or [""]
            lines.extend(pieces[:-1])
            line = pieces[-1]
        lines.append(line)
    return lines


class _WidthText(urwid.Text):
    """A Text whose markup is laid out again (`_lay_out`) for each width it is drawn at."""

    #: The width the markup was laid out for; -1 while it is not.
    _width = -1

    def _lay_out(self, width: int) -> None:
        raise NotImplementedError

    def _fit(self, width: int) -> None:
        if width != self._width:
            self._width = width
            self._lay_out(width)

    def rows(self, size: tuple[int], focus: bool = False) -> int:
        self._fit(size[0])
        return super().rows(size, focus)

    def render(self, size: tuple[int], focus: bool = False) -> urwid.TextCanvas:  # type: ignore[override]
        self._fit(size[0])
        return super().render(size, focus)


class WrapText(_WidthText):
    """A Text of one attribute whose lines are laid out by `wrap` for the width it gets."""

    def __init__(self, markup: Any = "", align: Any = "left") -> None:
        self._source: tuple[Any, str] = (None, "")
        self._width = -1
        super().__init__("", align=align, wrap="clip")
        self.set_text(markup)

    def set_text(self, markup: Any) -> None:
        attr, text = markup if isinstance(markup, tuple) else (None, markup)
        text = str(text)
        if (attr, text) == self._source and self._width >= 0:
            return
        self._source = (attr, text)
        self._width = -1
        super().set_text((attr, text) if attr is not None else text)

    @property
    def source(self) -> str:
        """The text as set (without the line breaks the layout added)."""
        return self._source[1]

    def _lay_out(self, width: int) -> None:
        attr, text = self._source
        laid = "\n".join(wrap(text, width))
        super().set_text((attr, laid) if attr is not None else laid)


class LabelledText(_WidthText):
    """A label in a column of its own on the left and a value beside it, wrapped as WrapText
    wraps (lines after the first start under the first): what a Columns of two Texts shows,
    drawn as one Text. A page's value lines are the most common rows of the first screen,
    and a Columns costs a container to build and to render (a canvas per child and its own)."""

    def __init__(self, label: tuple[Any, str], label_width: int, value: Any = "") -> None:
        self._label = label
        self._label_width = label_width
        self._value: tuple[Any, str] = (None, "")
        self._width = -1
        super().__init__("", wrap="clip")
        self.set_value(value)

    @property
    def value(self) -> str:
        """The value as set (without the line breaks the layout added)."""
        return self._value[1]

    def set_value(self, markup: Any) -> None:
        """`text` or `(attribute, text)`."""
        attr, text = markup if isinstance(markup, tuple) else (None, markup)
        value = (attr, str(text))
        if value == self._value and self._width >= 0:
            return
        self._value = value
        self._width = -1
        self._fit(0)  # one line until the width is known: the label column, then the value

    def _lay_out(self, width: int) -> None:
        label_attr, label = self._label
        attr, text = self._value
        labels = wrap(label, self._label_width)
        values = wrap(text, width - self._label_width - 1) if width else [text]
        markup: list[Any] = []
        for row in range(max(len(labels), len(values))):
            name = labels[row] if row < len(labels) else ""
            if row:
                markup.append("\n")
            if name:
                markup.append((label_attr, name))
            markup.append(" " * (self._label_width + 1 - len(name)))
            if row < len(values) and values[row]:
                markup.append((attr, values[row]) if attr is not None else values[row])
        self.set_text(markup)
