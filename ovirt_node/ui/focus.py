"""Tab stops: Tab and Shift-Tab move between the fields and buttons of a page, dialog or
installer screen, never inside a text field (urwid itself only knows arrows).

A stop is a selectable leaf (an entry, a button, a check box) or a widget that says it is
one stop as a whole (`tab_stop = True`: a table, a group of radio buttons, whose rows the
arrows walk). A button that is switched off (`enabled` false) is no stop: the focus never
rests on a greyed control. The walk reads the widget tree as urwid lays it out, so every
form gets the same order without listing its fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import urwid

#: One step of a focus path: a container and the position to focus in it.
Step = tuple[Any, Any]
Path = tuple[Step, ...]


def _inner(widget: Any) -> Any | None:
    """The one widget a decoration wraps (AttrMap, Padding, LineBox, WidgetWrap, ...)."""
    if isinstance(widget, urwid.Edit):
        return None  # an entry is a leaf, though urwid builds it as a wrap around a Text
    if isinstance(widget, urwid.WidgetDecoration):
        return widget.original_widget
    if isinstance(widget, urwid.WidgetWrap):
        return widget._w  # noqa: SLF001 - urwid has no public accessor for a wrap's widget
    return None


def _children(widget: Any) -> Iterator[tuple[Any, Any]]:
    """(position, child) of a container, in screen order."""
    if isinstance(widget, urwid.ListBox):
        body = widget.body
        if isinstance(body, list | urwid.SimpleListWalker | urwid.SimpleFocusListWalker):
            yield from enumerate(body)
        return
    if isinstance(widget, urwid.Pile | urwid.Columns):
        for position, (child, _options) in enumerate(widget.contents):
            yield position, child
    elif isinstance(widget, urwid.Overlay):
        yield 1, widget.top_w


def is_stop(widget: Any) -> bool:
    """A live leaf the focus may rest on."""
    if getattr(widget, "tab_stop", False):
        return bool(widget.selectable())
    return bool(widget.selectable()) and getattr(widget, "enabled", True) is not False


def stops(widget: Any, path: Path = ()) -> Iterator[Path]:
    """The focus path of every stop under `widget`, in screen order."""
    if not widget.selectable():
        return
    if getattr(widget, "tab_stop", False):
        yield path
        return
    inner = _inner(widget)
    if inner is not None:
        yield from stops(inner, path)
        return
    children = list(_children(widget))
    if not children:
        if is_stop(widget):
            yield path
        return
    for position, child in children:
        yield from stops(child, (*path, (widget, position)))


def _leaf(path: Path) -> Any:
    container, position = path[-1]
    return dict(_children(container))[position]


def current(widget: Any) -> Path:
    """The focus path from `widget` down to its focused leaf."""
    path: list[Step] = []
    while True:
        if getattr(widget, "tab_stop", False) and path:
            break
        inner = _inner(widget)
        if inner is not None:
            widget = inner
            continue
        if isinstance(widget, urwid.ListBox | urwid.Pile | urwid.Columns):
            position = widget.focus_position if len(list(_children(widget))) else None
            if position is None:
                break
            path.append((widget, position))
            widget = widget.focus
            continue
        if isinstance(widget, urwid.Overlay):
            path.append((widget, 1))
            widget = widget.top_w
            continue
        break
    return tuple(path)


def focus(path: Path) -> None:
    """Make every container on `path` focus the next step, so its leaf has the focus."""
    for container, position in path:
        if isinstance(container, urwid.Overlay):
            continue
        if container.focus_position != position:
            container.focus_position = position


def _index(all_stops: list[Path], now: Path) -> int | None:
    """Which stop holds the focus: the one whose path the current focus path starts with."""
    for index, stop in enumerate(all_stops):
        if now[: len(stop)] == stop:
            return index
    return None


def step(widget: Any, forward: bool, wrap: bool = True) -> bool:
    """Move the focus to the next (or previous) stop under `widget`. Without `wrap`, False
    when the focus is already on the last (first) stop, and nothing moves."""
    all_stops = list(stops(widget))
    if not all_stops:
        return False
    index = _index(all_stops, current(widget))
    if index is None:
        target = 0 if forward else len(all_stops) - 1
    else:
        target = index + (1 if forward else -1)
        if not 0 <= target < len(all_stops):
            if not wrap:
                return False
            target %= len(all_stops)
    focus(all_stops[target])
    return True


def enter(widget: Any, forward: bool) -> bool:
    """Focus the first (or last) stop under `widget`; False when it has none."""
    all_stops = list(stops(widget))
    if not all_stops:
        return False
    focus(all_stops[0 if forward else -1])
    return True


def keep_live(widget: Any) -> None:
    """If the focus rests on a control that has just been switched off (Save after a save,
    a disabled Continue), move it to the first live stop instead."""
    now = current(widget)
    if not now:
        return
    leaf = _leaf(now)
    while leaf is not None and not hasattr(leaf, "enabled"):
        leaf = _inner(leaf)  # through the AttrMap around a button
    if getattr(leaf, "enabled", True) is not False:
        return
    all_stops = list(stops(widget))
    if all_stops:
        focus(all_stops[0])


def focus_on(widget: Any, target: Any) -> bool:
    """Focus the stop that is (or holds) `target`, e.g. a Save button; False if not found."""
    for path in stops(widget):
        leaf = _leaf(path) if path else widget
        if _holds(leaf, target):
            focus(path)
            return True
    return False


def _holds(widget: Any, target: Any) -> bool:
    while widget is not None:
        if widget is target:
            return True
        widget = _inner(widget)
    return False
