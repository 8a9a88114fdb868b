"""core/namedtuple.NamedTuple against typing.NamedTuple: each class declared the same way with
both must behave the same (fields, defaults, annotations, methods, refusals)."""

from __future__ import annotations

import pickle
import typing

import pytest

from ovirt_node.core import namedtuple as ours

BOTH = [pytest.param(typing.NamedTuple, id="typing"), pytest.param(ours.NamedTuple, id="ours")]


def declare(base: type) -> type:
    class Disk(base):  # type: ignore[valid-type, misc]
        """A disk."""

        name: str
        size: int
        tags: tuple[str, ...] = ()
        removable: bool = False

        @property
        def big(self) -> bool:
            return self.size > 100

        def label(self) -> str:
            return f"{self.name} ({self.size})"

    return Disk


@pytest.fixture(params=BOTH)
def disk(request: pytest.FixtureRequest) -> type:
    return declare(request.param)


def test_fields_defaults_and_annotations_are_typings(disk: type) -> None:
    reference = declare(typing.NamedTuple)
    assert disk._fields == reference._fields == ("name", "size", "tags", "removable")
    assert disk._field_defaults == reference._field_defaults == {"tags": (), "removable": False}
    # typing keeps each annotation as a ForwardRef, ours as written: both resolve the same.
    assert typing.get_type_hints(disk) == typing.get_type_hints(reference) == {
        "name": str, "size": int, "tags": tuple[str, ...], "removable": bool}
    assert disk.__doc__ == "A disk."
    assert disk.__name__ == "Disk" and disk.__module__ == __name__
    assert disk.__qualname__ == reference.__qualname__


def test_instances_are_tuples_with_the_bodys_methods(disk: type) -> None:
    sda = disk("sda", 500)
    assert isinstance(sda, tuple) and tuple(sda) == ("sda", 500, (), False)
    assert sda == ("sda", 500, (), False) and hash(sda) == hash(("sda", 500, (), False))
    assert sda.big and sda.label() == "sda (500)"
    assert sda._replace(size=5) == disk("sda", 5) and sda._asdict()["tags"] == ()
    assert repr(sda) == "Disk(name='sda', size=500, tags=(), removable=False)"
    name, size, *_ = sda
    assert (name, size) == ("sda", 500)
    with pytest.raises(AttributeError):
        sda.size = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        disk("sda")  # a field without a default is missing


def test_a_subclass_can_check_its_fields_as_typings_can(disk: type) -> None:
    class Checked(disk):  # type: ignore[valid-type, misc]
        __slots__ = ()

        def __new__(cls, name: str, size: int) -> Checked:
            if size < 0:
                raise ValueError("negative size")
            return super().__new__(cls, name, size)

    assert Checked("sdb", 1).label() == "sdb (1)"
    with pytest.raises(ValueError, match="negative"):
        Checked("sdb", -1)


def test_a_field_without_a_default_after_one_with_is_refused_as_typing_refuses() -> None:
    for base in (typing.NamedTuple, ours.NamedTuple):
        with pytest.raises(TypeError, match="Non-default namedtuple field size cannot follow default field"):
            class Bad(base):  # type: ignore[valid-type, misc]
                name: str = "x"
                size: int


def test_overwriting_a_tuple_method_is_refused_as_typing_refuses() -> None:
    for base in (typing.NamedTuple, ours.NamedTuple):
        with pytest.raises(AttributeError, match="Cannot overwrite NamedTuple attribute _replace"):
            class Bad(base):  # type: ignore[valid-type, misc]
                name: str

                def _replace(self) -> None:  # type: ignore[override]
                    pass


def test_instances_of_a_module_level_tuple_pickle() -> None:
    from ovirt_node.system.machine.model import VolumeGroup

    group = VolumeGroup("vg0", ("storage_domain",), ("sda",))
    assert pickle.loads(pickle.dumps(group)) == group
