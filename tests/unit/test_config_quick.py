"""The fast `get` (areas/quick.py) knows its keys as the registry has them, and reads stored
words by the engine's own rule (core/shellword.py, the regular expressions it replaced)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from ovirt_node.areas import quick
from ovirt_node.areas.registry import builtin_section
from ovirt_node.core.defaults import DEFAULTS_FILE
from ovirt_node.core.shellword import unquote


def test_each_fast_key_is_the_registrys_key() -> None:
    """Its OVIRT_* names, default and file are the area's; no secret is among them (the fast
    path never masks)."""
    for name, (names, default) in quick.KEYS.items():
        section = builtin_section(name.partition(".")[0])
        assert section is not None, name
        key = section.key(name)
        assert (names, default, key.secret) == ((key.ovirt, *key.legacy), key.default, False), name
        spec = quick.AREAS[section.name]
        files = {(lf.lens, lf.path) for lf in section.lens_files}
        assert files == (set() if spec is None else {spec[:2]}), name
    assert quick.DEFAULTS == (DEFAULTS_FILE.lens, DEFAULTS_FILE.path)


def regex_unquote(raw: str) -> str:
    """The rule as core.defaults had it, with `re`."""
    if len(raw) >= 2 and raw[0] == raw[-1] == "'":
        return raw[1:-1]
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return re.sub(r'\\(["\\$`])', r"\1", raw[1:-1])
    return re.sub(r"\\(.)", r"\1", raw)


@given(st.text(alphabet=st.sampled_from(['\\', '"', "'", "$", "`", "a", " ", "\n", "é"]), max_size=12))
def test_unquote_is_the_regular_expressions_rule(raw: str) -> None:
    assert unquote(raw) == regex_unquote(raw)


def test_unquote_examples() -> None:
    assert unquote('"a \\"b\\" \\$HOME \\\\ \\n"') == 'a "b" $HOME \\ \\n'
    assert unquote("'it\\'") == "it\\"
    assert unquote("bare\\ word\\") == "bare word\\"
