"""Frozen records (core/record.py) behave as the frozen dataclasses they replace: each case
is checked against a dataclass declared the same way."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, ClassVar

import pytest

from ovirt_node.core.record import Record, field, record_fields, replace


class Base(Record):
    enabled_when: Callable[[], bool] | None = field(default=None, kw_only=True)


class Named(Base):
    key: str
    label: str
    help: str = field(default="", kw_only=True)


class Sized(Named):
    size: int = 5
    kind: ClassVar[str] = "sized"


@dataclasses.dataclass(frozen=True)
class DBase:
    enabled_when: Callable[[], bool] | None = dataclasses.field(default=None, kw_only=True)


@dataclasses.dataclass(frozen=True)
class DNamed(DBase):
    key: str
    label: str
    help: str = dataclasses.field(default="", kw_only=True)


@dataclasses.dataclass(frozen=True)
class DSized(DNamed):
    size: int = 5
    kind: ClassVar[str] = "sized"


CALLS: list[tuple[tuple[Any, ...], dict[str, Any]]] = [
    (("ssh.port", "SSH port"), {}),
    (("ssh.port", "SSH port", 7), {"help": "the port"}),
    ((), {"key": "k", "label": "l", "size": 1, "enabled_when": None}),
    (("k",), {"label": "l"}),
]


@pytest.mark.parametrize(("args", "kwargs"), CALLS)
def test_a_record_is_made_shown_and_compared_as_the_dataclass(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    record, twin = Sized(*args, **kwargs), DSized(*args, **kwargs)
    assert repr(record) == repr(twin).replace("DSized", "Sized")
    values = [getattr(twin, f.name) for f in dataclasses.fields(twin)]
    assert [getattr(record, n) for n in record_fields(record)] == values
    assert record == Sized(*args, **kwargs) and hash(record) == hash(Sized(*args, **kwargs))
    assert record != twin and record != Named("other", "x")


BAD_CALLS: list[tuple[tuple[Any, ...], dict[str, Any], str]] = [
    (("k",), {}, "missing required arguments: 'label'"),
    ((), {}, "missing required arguments: 'key', 'label'"),
    (("k", "l", 1, 2), {}, "takes 3 positional arguments but 4 were given"),
    (("k", "l"), {"colour": "red"}, "unexpected keyword argument 'colour'"),
    (("k", "l"), {"key": "again"}, "multiple values for argument 'key'"),
    (("k", "l", 5, "help"), {}, "takes 3 positional arguments"),  # keyword-only stays keyword-only
]


@pytest.mark.parametrize(("args", "kwargs", "said"), BAD_CALLS)
def test_a_bad_call_is_refused_as_the_dataclass_refuses_it(args: tuple[Any, ...], kwargs: dict[str, Any],
                                                           said: str) -> None:
    with pytest.raises(TypeError) as record_error:
        Sized(*args, **kwargs)
    with pytest.raises(TypeError):
        DSized(*args, **kwargs)
    assert said in str(record_error.value)


def test_a_record_is_immutable() -> None:
    record = Sized("k", "l")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'key'"):
        record.key = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del record.label
    assert record.key == "k"


def test_defaults_are_class_values_and_classvars_are_no_fields() -> None:
    assert record_fields(Sized) == ("enabled_when", "key", "label", "help", "size")
    assert Sized.size == 5 and Sized.help == "" and Sized.kind == "sized"
    assert "key" not in Sized.__dict__  # no default: no class value


def test_a_field_without_default_after_one_with_a_default_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="field 'label' without a default follows 'key'"):
        class Bad(Record):
            key: str = ""
            label: str  # type: ignore[misc]  # what the test is about


def test_a_mutable_default_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(ValueError, match="a mutable default"):
        class Shared(Record):
            items: list[str] = []  # noqa: RUF012  # on purpose


def test_a_subclass_redefining_a_field_keeps_its_place() -> None:
    class Relabelled(Named):
        label: str = "default label"

    assert record_fields(Relabelled) == ("enabled_when", "key", "label", "help")
    assert Relabelled("k").label == "default label"


def test_replace_makes_a_changed_copy_and_refuses_an_unknown_field() -> None:
    record = Sized("k", "l", help="h")
    changed = replace(record, size=9, label="m")
    assert (changed.key, changed.label, changed.help, changed.size) == ("k", "m", "h", 9) and record.size == 5
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        replace(record, colour="red")
