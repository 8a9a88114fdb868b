"""A fuzz of the front doors other than `set` (tests/integration/test_every_key.py has that one),
with a fixed budget so CI runs it every time: kernel argument lines (`cmdline`), answers files
(`apply`) and the installer's answers (`--answers`, dry run). Whatever comes in, the outcome is
one the documentation names, with a reason, never a traceback:

- `cmdline`: 0 (applied, unchanged or skipped with the reason) or 3 (an area rolled back);
- `apply`: 0, 2 with "Nothing was changed." and nothing written, or 3 with the tree as it was;
- the installer: 0 (a plan) or 2 with the reason, and never the password typed in the answers.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ovirt_node.areas.registry import all_sections
from ovirt_node.cli import installer as installer_cli
from ovirt_node.core.resources import copy_demo_root
from tests.node_fixtures import DEMO_ROOT, changed_paths, config_in_process, snapshot

BUDGET = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
SECTIONS = all_sections()
KEYS = sorted(key.name for section in SECTIONS for key in section.keys)
ARGS = sorted({name for section in SECTIONS for name in section.kernel_args()})
WORDS = st.sampled_from(["", "0", "1", "yes", "no", "off", "true", "x", "-1", "99999", "a.b", "192.0.2.1", "::",
                         "eth0", "bond0", "link", "/dev/vda", "a,b", '"', "$6$salt$hash", "é", "\\", "="])
VALUES = st.one_of(WORDS, st.text(max_size=16))


def kernel_line() -> st.SearchStrategy[str]:
    known = st.tuples(st.sampled_from(ARGS), st.one_of(st.none(), VALUES)).map(
        lambda pair: pair[0] if pair[1] is None else f"{pair[0]}={pair[1]}")
    stray = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
    return st.lists(st.one_of(known, stray), max_size=6).map(" ".join)


def answers() -> st.SearchStrategy[str]:
    flat = st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=12)), VALUES, max_size=5)
    nested = st.dictionaries(st.sampled_from(sorted({k.split(".")[0] for k in KEYS})),
                             st.dictionaries(st.text(max_size=10), st.one_of(VALUES, st.booleans(), st.integers()),
                                             max_size=3), max_size=3)
    return st.one_of(flat.map(json.dumps), nested.map(json.dumps), st.text(max_size=60))


def test_kernel_argument_lines() -> None:
    with tempfile.TemporaryDirectory(prefix="ovirt-node-fuzz-") as tmp:
        root = copy_demo_root(Path(tmp) / "root")

        @BUDGET
        @given(line=kernel_line())
        def one(line: str) -> None:
            code, err = config_in_process("--root", str(root), "cmdline", "--", *(line.split() or ["quiet"]))
            assert code in (0, 3), f"{line!r}: exit {code}: {err}"
            assert "Traceback" not in err

        one()


def test_answers_files() -> None:
    with tempfile.TemporaryDirectory(prefix="ovirt-node-fuzz-") as tmp:
        root = copy_demo_root(Path(tmp) / "root")
        answers_file = Path(tmp) / "answers.yaml"

        @BUDGET
        @given(text=answers())
        def one(text: str) -> None:
            answers_file.write_text(text)
            before = snapshot(root)
            code, err = config_in_process("--root", str(root), "apply", str(answers_file))
            assert code in (0, 2, 3), f"{text!r}: exit {code}: {err}"
            assert "Traceback" not in err
            if code == 2:
                assert "Nothing was changed." in err
            if code in (2, 3):
                assert err.strip() and changed_paths(before, snapshot(root)) == set()

        one()


SECRET = "Fuzz-Secret-4711"


def installer_answers() -> st.SearchStrategy[str]:
    value = st.one_of(st.integers(-5, 10**6).map(str), st.sampled_from(['"install"', '"upgrade"', '"x"', "true",
                                                                        "[1]", "{}", '""']))
    keys = st.sampled_from(["mode", "keyboard", "boot_disk", "confirm", "hostname", "data_disks", "storage_init"])
    top = st.lists(st.tuples(keys, value).map(lambda kv: f"{kv[0]} = {kv[1]}"), max_size=4)
    sizes = st.lists(st.tuples(st.sampled_from(["swap", "data", "root", "config", "logging", "overcommit"]),
                               value).map(lambda kv: f"{kv[0]} = {kv[1]}"), max_size=3)
    password = st.sampled_from(["", f'[password]\nadmin = "{SECRET}"\n', f'[password]\nadmin = ["{SECRET}"]\n'])
    return st.tuples(top, sizes, password).map(
        lambda parts: "\n".join(parts[0]) + "\n[sizes]\n" + "\n".join(parts[1]) + "\n" + parts[2])


def test_installer_answers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers_file = tmp_path / "answers.toml"

    @BUDGET
    @given(text=installer_answers())
    def one(text: str) -> None:
        answers_file.write_text(text)
        code = installer_cli.main(["--dry-run", "--machine", "demo", "--root", str(DEMO_ROOT), "--image",
                                   "/nonexistent.iso", "--answers", str(answers_file)])
        out, err = capsys.readouterr()
        assert code in (0, 2), f"{text!r}: exit {code}: {err}"
        assert "Traceback" not in err and SECRET not in out + err
        if code == 2:
            assert err.strip()

    one()
