"""The shape of an answers file of settings (what `ovirt-node-config export` writes, `apply`
takes, and the installer's `--answers` carries in its area tables): nested tables of keys,
typed values, flattened to the engine's `key -> canonical string` changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AnswersShapeError(ValueError):
    """Not a mapping of keys to values; the message names the key (never its value)."""


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """`{ssh: {pwauth: true}}` or `{"ssh.pwauth": "yes"}` -> {"ssh.pwauth": "yes"}
    (AnswersShapeError: what is not a mapping of keys to plain values, a key given twice, once
    dotted and once in its section, or an empty section where a value was meant)."""
    if not isinstance(data, Mapping):
        raise AnswersShapeError("the answers file must hold a mapping of keys to values")
    flat: dict[str, str] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            if not value:
                raise AnswersShapeError(f"{key}: an empty mapping; give its value, or leave it out")
            for inner, text in flatten(value, key + ".").items():
                if inner in flat:
                    raise AnswersShapeError(f"{inner}: given twice (as a dotted key and inside its section)")
                flat[inner] = text
            continue
        if key in flat:
            raise AnswersShapeError(f"{key}: given twice (as a dotted key and inside its section)")
        if isinstance(value, bool):
            flat[key] = "yes" if value else "no"
        elif value is None:
            flat[key] = ""
        elif isinstance(value, int | float | str):
            flat[key] = str(value)
        else:
            raise AnswersShapeError(f"{key}: a value must be a string, number or boolean, not a {type(value).__name__}")
    return flat
