"""One shell word as /etc/default/ovirt (and the other `KEY=value` files) store it, read back.

Apart from defaults.py and free of imports (no `re`), so that `ovirt-node-config get`'s fast
path (areas/quick.py) reads a stored value with the very rule the engine uses."""

from __future__ import annotations

#: The characters a backslash escapes inside double quotes (as a POSIX shell has it).
_DQUOTE_ESCAPED = frozenset('"\\$`')


def _drop_escapes(text: str, escaped: frozenset[str] | None) -> str:
    """`text` with each backslash before a character of `escaped` (None: any character) removed."""
    out = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and (escaped is None or text[i + 1] in escaped) and text[i + 1] != "\n":
            out.append(text[i + 1])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def unquote(raw: str) -> str:
    """What a shell would assign for a stored word: handles "..", '..' and bare words."""
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return _drop_escapes(raw[1:-1], _DQUOTE_ESCAPED)
    return _drop_escapes(raw, None)
