"""A tree of settings (an answers file's mapping, nested or with dotted keys) as the flat
`section.key -> text` changes the engine takes. Shared by `ovirt-node-config apply` and the
installer's answers file (`[settings]`), so both read the same document the same way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """`{ssh: {pwauth: true}}` or `{"ssh.pwauth": "yes"}` -> {"ssh.pwauth": "yes"}
    (ValueError: what is not a mapping of keys to plain values, a key given twice, once dotted
    and once in its section, or an empty section where a value was meant)."""
    if not isinstance(data, Mapping):
        raise ValueError("must hold a mapping of keys to values")
    flat: dict[str, str] = {}
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            if not value:
                raise ValueError(f"{key}: an empty mapping; give its value, or leave it out")
            for inner, text in flatten(value, key + ".").items():
                if inner in flat:
                    raise ValueError(f"{inner}: given twice (as a dotted key and inside its section)")
                flat[inner] = text
            continue
        if key in flat:
            raise ValueError(f"{key}: given twice (as a dotted key and inside its section)")
        if isinstance(value, bool):
            flat[key] = "yes" if value else "no"
        elif value is None:
            flat[key] = ""
        elif isinstance(value, int | float | str):
            flat[key] = str(value)
        else:
            raise ValueError(f"{key}: a value must be a string, number or boolean, not a {type(value).__name__}")
    return flat
