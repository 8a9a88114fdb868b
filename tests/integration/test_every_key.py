"""Every key of every section, the add-on plugins' included: whatever value is given, `set`
either applies it (exit 0) or refuses it at validation (exit 2, "Nothing was changed.", no
file touched), or, where the node lacks what the key configures, fails with the reason and the
tree as it was (3); never a traceback (1). The values are drawn per key from its default, its
neighbours, tricky spellings and arbitrary text; the keys take turns on the demo root, the
EL-like root and the node image's own /etc.

The plugins come from `build/plugins/<name>` (`make plugins`, which `make test` runs first),
put on sys.path for this module only: the rest of the suite sees the product without them."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovirt_node.areas.registry import all_sections, builtin_sections
from ovirt_node.core.model import Key
from ovirt_node.core.resources import copy_demo_root
from tests.integration.el_node import make_el_root
from tests.integration.node_root import copy_etc
from tests.node_fixtures import changed_paths, config_in_process, snapshot

PLUGINS = Path(__file__).resolve().parents[2] / "build" / "plugins"
TRICKY = ["", " ", "0", "1", "-1", "yes", "no", "true", "off", "65536", "99999999999", "a", "a.b", "::",
          "0.0.0.0", "example.com.", "x" * 300, "a,b", "a b", "'", '"', "\\", "$(id)", "a\nb", "é", "/",
          "../etc", "%s", "{}", "#", ";"]


def plugin_dirs() -> list[Path]:
    found = sorted(p for p in PLUGINS.glob("*") if p.is_dir())
    assert found, f"no plugins built under {PLUGINS}: run `make plugins` (make test does)"
    return found


@contextmanager
def plugins_on_path() -> Iterator[None]:
    saved = list(sys.path)
    sys.path[:0] = [str(p) for p in plugin_dirs()]
    try:
        yield
    finally:
        sys.path[:] = saved


@pytest.fixture(scope="module", autouse=True)
def with_plugins() -> Iterator[None]:
    with plugins_on_path():
        yield


def every_key() -> list[Key]:
    with plugins_on_path():
        return [key for section in all_sections() for key in section.keys]


KEYS = every_key()


def values_for(key: Key) -> st.SearchStrategy[str]:
    near = [str(key.default)]
    if str(key.default).lstrip("-").isdigit():
        near += [str(int(key.default) + d) for d in (-1, 1, 1000)]
    return st.one_of(
        st.sampled_from(near + TRICKY),
        st.text(max_size=24),
        st.integers(min_value=-10, max_value=200000).map(str),
        st.lists(st.sampled_from(["a", "b.example.com", "192.0.2.1", "2001:db8::1", "", " "]),
                 min_size=1, max_size=3).map(",".join),
    )


def test_the_plugins_keys_are_among_them() -> None:
    builtin = {key.name for section in builtin_sections() for key in section.keys}
    assert {key.name for key in KEYS} - builtin, "no plugin key found: the plugins did not load"


ROOTS = ("demo", "el", "node")
#: Examples per key: fewer on the node's /etc (~1500 files to snapshot around each).
EXAMPLES = {"demo": 12, "el": 12, "node": 5}


def root_kind(key: Key) -> str:
    return ROOTS[KEYS.index(key) % len(ROOTS)]


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.node_image) if root_kind(k) == "node" else k
                                 for k in KEYS], ids=[f"{k.name}-{root_kind(k)}" for k in KEYS])
def test_any_value_applies_or_is_refused_at_validation(key: Key, request: pytest.FixtureRequest) -> None:
    """On the demo tree, the EL-like tree or the node image's own /etc (the keys take turns):
    exit 0, or 2 with nothing written, or 3 (a program or file the node lacks, e.g. a plugin's
    daemon) with a reason and the tree byte for byte as it was. Never a traceback."""
    kind = root_kind(key)
    with tempfile.TemporaryDirectory(prefix="ovirt-node-every-key-") as tmp:
        if kind == "node":
            root = copy_etc(request.getfixturevalue("node_image_root"), Path(tmp) / "root")
        else:
            root = copy_demo_root(Path(tmp) / "root")
            if kind == "el":
                make_el_root(root)

        @settings(max_examples=EXAMPLES[kind], deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(value=values_for(key))
        def applies_or_is_refused(value: str) -> None:
            before = snapshot(root)
            code, text = config_in_process("--root", str(root), "set", f"{key.name}={value}")
            assert code in (0, 2, 3), f"{kind} root: {key.name}={value!r}: exit {code}: {text}"
            if code == 2:
                assert "Nothing was changed." in text, text
            if code in (2, 3):
                assert text.strip(), f"{key.name}={value!r}: exit {code} without a reason"
                assert changed_paths(before, snapshot(root)) == set(), f"{key.name}={value!r} wrote files"

        applies_or_is_refused()

