"""Frozen records: immutable value classes declared like frozen dataclasses, built without
compiling code.

On Python 3.11 (the node's) `@dataclass` compiles each generated method (`__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) with its own `exec`: about
0.6 M instructions a method, 60 M for the page API's sixteen classes, which the setup TUI
imports before its first screen. A `Record` subclass gets the same behaviour from the
methods below, shared by every record, with its fields worked out once from the class's
annotations:

    class Button(Item):
        label: str
        on_press: Callable[[PageUI], None]
        enabled_when: EnabledWhen | None = field(default=None, kw_only=True)

- fields come in annotation order, a base's first (as dataclasses order them); a plain
  class value is the field's default; `field(default=..., kw_only=True)` makes it
  keyword-only; a field without a default may not follow one with a default unless one of
  them is keyword-only;
- `__init__` takes the fields positionally (in that order, the keyword-only ones by name)
  and refuses a missing, unknown or repeated argument as a function would;
- instances are immutable (`dataclasses.FrozenInstanceError`), equal when of the same class
  with equal fields, hashed by their fields, and shown as `Name(field=value, ...)`;
- type checkers see the generated `__init__` through `dataclass_transform`.

Unlike dataclasses, `dataclasses.fields()` and `replace()` do not apply (`record_fields` and
`replace` here do their work), and a mutable default is refused.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from typing import Any, ClassVar, TypeVar, dataclass_transform

T = TypeVar("T")

_MISSING: Any = object()


class _FieldSpec:
    __slots__ = ("default", "kw_only")

    def __init__(self, default: object, kw_only: bool) -> None:
        self.default = default
        self.kw_only = kw_only


def field(*, default: T = _MISSING, kw_only: bool = False) -> T:
    """A field's options, as the class value of its annotation (see the module's text)."""
    spec: Any = _FieldSpec(default, kw_only)
    return spec  # type: ignore[no-any-return]  # the class value stands for the field's type


class _Layout:
    """A record class's fields: all of them in order, the positional ones, the defaults."""

    __slots__ = ("names", "positional", "defaults")

    def __init__(self, names: tuple[str, ...], positional: tuple[str, ...], defaults: dict[str, object]) -> None:
        self.names = names
        self.positional = positional
        self.defaults = defaults


def _is_field(annotation: object) -> bool:
    # Annotations are strings here (`from __future__ import annotations`); a ClassVar is no field.
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return not text.startswith(("ClassVar", "typing.ClassVar"))


def _declared(cls: type) -> dict[str, tuple[object, bool]]:
    """The fields a class body declares: name -> (default, keyword-only)."""
    found: dict[str, tuple[object, bool]] = {}
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_field(annotation):
            value = cls.__dict__.get(name, _MISSING)
            found[name] = (value.default, value.kw_only) if isinstance(value, _FieldSpec) else (value, False)
    return found


def _layout(cls: type) -> _Layout:
    order: dict[str, tuple[object, bool]] = {}  # a redefinition keeps its place
    for klass in reversed(cls.__mro__):
        order.update(klass.__dict__.get("__record_declared__", {}))
    positional: list[str] = []
    defaults: dict[str, object] = {}
    for name, (default, kw_only) in order.items():
        if isinstance(default, (list, dict, set)):
            raise ValueError(f"{cls.__name__}.{name}: a mutable default ({type(default).__name__}) would be shared")
        if default is not _MISSING:
            defaults[name] = default
        if not kw_only:
            if default is _MISSING and positional and positional[-1] in defaults:
                raise TypeError(f"{cls.__name__}: field {name!r} without a default follows {positional[-1]!r} "
                                "which has one")
            positional.append(name)
    return _Layout(tuple(order), tuple(positional), defaults)


@dataclass_transform(eq_default=True, field_specifiers=(field,), frozen_default=True)
class Record:
    """The base of frozen records (see the module's text)."""

    __record__: ClassVar[_Layout] = _Layout((), (), {})
    __record_declared__: ClassVar[dict[str, tuple[object, bool]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        declared = _declared(cls)
        cls.__record_declared__ = declared
        cls.__record__ = _layout(cls)
        for name, (default, _kw_only) in declared.items():
            if default is not _MISSING:
                setattr(cls, name, default)  # the class value is the default, as with dataclasses
            elif name in cls.__dict__:
                delattr(cls, name)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        layout = type(self).__record__
        name = type(self).__name__
        if len(args) > len(layout.positional):
            raise TypeError(f"{name}() takes {len(layout.positional)} positional arguments but {len(args)} were given")
        values = dict(zip(layout.positional, args, strict=False))  # fewer args than fields: the rest by name or default
        for key, value in kwargs.items():
            if key not in layout.names:
                raise TypeError(f"{name}() got an unexpected keyword argument {key!r}")
            if key in values:
                raise TypeError(f"{name}() got multiple values for argument {key!r}")
            values[key] = value
        missing = [key for key in layout.names if key not in values and key not in layout.defaults]
        if missing:
            raise TypeError(f"{name}() missing required arguments: {', '.join(map(repr, missing))}")
        for key in layout.names:
            object.__setattr__(self, key, values[key] if key in values else layout.defaults[key])

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, key) for key in type(self).__record__.names)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={getattr(self, key)!r}" for key in type(self).__record__.names)
        return f"{type(self).__qualname__}({shown})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __setattr__(self, key: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {key!r}")

    def __delattr__(self, key: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {key!r}")


def record_fields(record: Record | type[Record]) -> tuple[str, ...]:
    """The names of a record's fields, in order."""
    return record.__record__.names


R = TypeVar("R", bound=Record)


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with some fields changed (as `dataclasses.replace`)."""
    values = {name: getattr(record, name) for name in record_fields(record)}
    values.update(changes)
    return type(record)(**values)
