"""Reading files a user hands over (answers files, `apply FILE`): bounded before anything is
parsed, so a hostile file gets a clear refusal instead of a traceback, a hang or the memory of
the whole machine. The limits are far above any real answers file."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any, BinaryIO

import yaml

#: Largest file read (1 MiB); a real answers file is a few KiB.
MAX_FILE_BYTES = 1024 * 1024
#: Deepest nesting of tables/lists; a real file nests two or three levels.
MAX_DEPTH = 32
#: Most entries (keys plus list items) in one file; the engine has fewer than a hundred keys.
MAX_ENTRIES = 1_000


class UntrustedInputError(ValueError):
    """The file is refused; the message says why (and the limit it broke), never its values."""


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The file as UTF-8 text, at most `limit` bytes. OSError when it cannot be read."""
    with path.open("rb") as stream:
        return read_stream(stream, limit)


def read_stream(stream: BinaryIO, limit: int = MAX_FILE_BYTES) -> str:
    """What `stream` holds (a file, standard input) as UTF-8 text, at most `limit` bytes."""
    data = stream.read(limit + 1)  # one byte more tells "too large" without reading it all
    if len(data) > limit:
        raise UntrustedInputError(f"larger than the limit of {limit // 1024} KiB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UntrustedInputError(f"not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})") from None


def check_shape(data: object, max_depth: int = MAX_DEPTH, max_entries: int = MAX_ENTRIES) -> None:
    """Refuse data nested deeper than `max_depth` or with more than `max_entries` entries
    (walked without recursion, so any depth is safe to check)."""
    entries = 0
    stack: list[tuple[object, int]] = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children: list[object]
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = list(item)
        else:
            continue
        if depth > max_depth:
            raise UntrustedInputError(f"nested deeper than the limit of {max_depth} levels")
        entries += len(children)
        if entries > max_entries:
            raise UntrustedInputError(f"more than the limit of {max_entries} entries")
        stack.extend((child, depth + 1) for child in children)


def _number_too_long(exc: ValueError) -> UntrustedInputError | None:
    """Python refuses to convert integers of more than 4,300 digits (a denial-of-service guard):
    the parsers let that ValueError through; said here as the limit it is."""
    if "integer string conversion" in str(exc):
        return UntrustedInputError(f"holds a number longer than the limit of {sys.get_int_max_str_digits()} digits")
    return None


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader without aliases (a few hundred bytes of nested aliases expand to gigabytes),
    with a nesting limit checked while composing (the composer recurses) and without duplicate
    keys (YAML and JSON parsers keep the last silently: which one the user meant is unknown)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[object] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    mark = key_node.start_mark
                    raise UntrustedInputError(f"the key {key_node.value[:80]!r} is given twice "
                                              f"(line {mark.line + 1}, column {mark.column + 1})")
                seen.add(key_node.value)
        return super().construct_mapping(node, deep)

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        where = f" (line {event.start_mark.line + 1}, column {event.start_mark.column + 1})"
        if isinstance(event, yaml.AliasEvent):
            raise UntrustedInputError(f"aliases (*name) are not accepted{where}")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH + 1:  # the document's own level is not nesting
                raise UntrustedInputError(f"nested deeper than the limit of {MAX_DEPTH} levels{where}")
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        finally:
            self._depth -= 1


def load_yaml(text: str) -> Any:
    """YAML (or JSON) text, bounded; yaml.YAMLError for what is not YAML at all."""
    try:
        data = yaml.load(text, Loader=_BoundedLoader)  # noqa: S506 - a SafeLoader subclass
    except ValueError as exc:
        if (refusal := _number_too_long(exc)) is None:
            raise
        raise refusal from None
    check_shape(data)
    return data


def load_toml(text: str) -> dict[str, Any]:
    """TOML text, bounded; tomllib.TOMLDecodeError for what is not TOML at all."""
    try:
        data = tomllib.loads(text)
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise UntrustedInputError(f"nested deeper than the limit of {MAX_DEPTH} levels") from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:
        if (refusal := _number_too_long(exc)) is None:
            raise
        raise refusal from None
    check_shape(data)
    return data
