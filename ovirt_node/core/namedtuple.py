"""`typing.NamedTuple` for class declarations, made the way `collections.namedtuple` makes
them, without typing's check of each field's annotation.

Under `from __future__ import annotations` every annotation is a string, and Python 3.11's
`typing.NamedTuple` turns each into a `ForwardRef`, which compiles it: about 70 us of a
named tuple's 115 us, for a check nothing here needs. The setup TUI declares about twenty
named tuples before its first screen. Declarations are written as with typing's:

    class Disk(NamedTuple):
        name: str
        size_bytes: int
        partitions: tuple[str, ...] = ()

and give the same class: a `collections.namedtuple` with the fields in order, their
defaults, `__annotations__` (as written, where typing keeps ForwardRefs: `get_type_hints`
resolves both alike), and the body's methods, properties and docstring.
Type checkers see typing's own NamedTuple.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["NamedTuple"]

# What typing refuses in a body, and what it does not copy onto the class.
_PROHIBITED = frozenset({"__new__", "__init__", "__slots__", "__getnewargs__", "_fields", "_field_defaults",
                         "_make", "_replace", "_asdict", "_source"})
_SPECIAL = frozenset({"__module__", "__name__", "__annotations__", "__qualname__"})
#: Called with names known only here, which type checkers' own rules for it do not take.
_make: Callable[..., Any] = collections.namedtuple


class _NamedTupleMeta(type):
    def __new__(mcs, typename: str, bases: tuple[type, ...], ns: dict[str, Any]) -> Any:
        if bases != (NamedTuple,):
            raise TypeError("a named tuple can only inherit from NamedTuple")
        annotations: dict[str, Any] = ns.get("__annotations__", {})
        defaults: list[Any] = []
        for name in annotations:
            if name in ns:
                defaults.append(ns[name])
            elif defaults:
                default_names = ", ".join(n for n in annotations if n in ns)
                raise TypeError(f"Non-default namedtuple field {name} cannot follow default field(s) {default_names}")
        cls = _make(typename, list(annotations), defaults=defaults, module=ns["__module__"])
        cls.__annotations__ = dict(annotations)
        for key, value in ns.items():
            if key in _PROHIBITED:
                raise AttributeError(f"Cannot overwrite NamedTuple attribute {key}")
            if key not in _SPECIAL and key not in cls._fields:
                setattr(cls, key, value)
        cls.__qualname__ = ns.get("__qualname__", typename)
        return cls


if TYPE_CHECKING:
    from typing import NamedTuple as NamedTuple
else:
    NamedTuple = type.__new__(_NamedTupleMeta, "NamedTuple", (), {})
