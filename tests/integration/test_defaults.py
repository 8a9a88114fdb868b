"""The defaults store (/etc/default/ovirt) through real Augeas, checked against a real shell."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ovirt_node.core.aug import Augeas
from ovirt_node.core.defaults import DEFAULTS_FILE, Defaults, DefaultsError, quote, unquote
from ovirt_node.core.root import Root


def open_defaults(root: Path) -> Defaults:
    return Defaults(Augeas(Root.at(root), [DEFAULTS_FILE]))


def shell_value(file: Path, key: str) -> str:
    """What bash gets when it sources the file: the real consumer of this format."""
    out = subprocess.run(
        ["bash", "-c", f'source "$1" 2>/dev/null; printf %s "${key}"', "bash", str(file)],
        capture_output=True, text=True, check=True,
    )
    return out.stdout


def test_get_set_remove_keep_comments_and_unknown_keys(node_root: Path) -> None:
    file = node_root / "etc/default/ovirt"
    store = open_defaults(node_root)
    assert store.get("OVIRT_HOSTNAME") == "demo-node.example.com"
    store.set("OVIRT_SSH_PORT", "2222")
    store.set("OVIRT_SSH_PWAUTH", "yes")
    store.remove("OVIRT_LOGROTATE_INTERVAL")
    store.save()
    text = file.read_text()
    assert text.startswith("# oVirt Node settings: the source of truth")
    assert 'DEMO_NODE="yes"' in text  # not one of ours: kept as it was
    assert "OVIRT_LOGROTATE_INTERVAL" not in text
    assert open_defaults(node_root).items()["OVIRT_SSH_PORT"] == "2222"
    assert shell_value(file, "OVIRT_SSH_PWAUTH") == "yes"


@pytest.mark.parametrize(
    "value",
    ["with spaces", 'double "quotes"', "single 'quotes'", "dollar $HOME and `cmd`", "back\\slash", "", "tab\there"],
)
def test_quoting_survives_augeas_and_the_shell(node_root: Path, value: str) -> None:
    store = open_defaults(node_root)
    store.set("OVIRT_TEST", value)
    store.save()
    assert open_defaults(node_root).get("OVIRT_TEST") == value
    assert shell_value(node_root / "etc/default/ovirt", "OVIRT_TEST") == value


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_characters="\n\r\0", blacklist_categories=("Cs",)), max_size=30))
def test_quote_unquote_round_trip(value: str) -> None:
    assert unquote(quote(value)) == value


@pytest.mark.parametrize("bad", ["two\nlines", "nul\0byte", "cr\rhere"])
def test_values_with_line_breaks_are_refused(node_root: Path, bad: str) -> None:
    store = open_defaults(node_root)
    with pytest.raises(DefaultsError):
        store.set("OVIRT_TEST", bad)


def test_bad_key_names_are_refused(node_root: Path) -> None:
    with pytest.raises(DefaultsError):
        open_defaults(node_root).set("NOT-A-NAME", "x")


def test_garbage_lines_are_kept_not_crashed_on(node_root: Path) -> None:
    file = node_root / "etc/default/ovirt"
    file.write_text('# head\nOVIRT_A="1"\nthis is not ( shell\n[section]\nOVIRT_B=two\n')
    store = open_defaults(node_root)
    assert store.items() == {"OVIRT_A": "1", "OVIRT_B": "two"}
    assert store.unparsed_lines() == ["this is not ( shell", "[section]"]
    store.set("OVIRT_A", "changed")
    store.save()
    assert file.read_text() == '# head\nOVIRT_A="changed"\nthis is not ( shell\n[section]\nOVIRT_B=two\n'


def test_missing_file_is_created(tmp_path: Path) -> None:
    (tmp_path / "etc/default").mkdir(parents=True)
    store = open_defaults(tmp_path)
    assert store.items() == {}
    store.set("OVIRT_X", "1")
    store.save()
    assert (tmp_path / "etc/default/ovirt").read_text() == 'OVIRT_X="1"\n'


def test_shell_forms_of_the_settings_file_read_as_bash_reads_them(node_root: Path) -> None:
    """The file's own lens (not Shellvars) reads every form a person or 3.x writes: export,
    indentation, a trailing comment, an empty value, quoted parts, `#` inside a word; lines it
    cannot read as one plain assignment (expansions, indented garbage, shell syntax) are kept."""
    file = node_root / "etc/default/ovirt"
    file.write_text("#\n# head\n\nexport OVIRT_E=\"x y\"\n  OVIRT_I=ind\nOVIRT_T=\"v\" # note\nOVIRT_EMPTY=\n"
                    "OVIRT_H=a#b\nOVIRT_Q='s q'\n  garbage here\nOVIRT_D=$HOME\nif [ x ]; then :; fi\n")
    store = open_defaults(node_root)
    items = store.items()
    assert items == {"OVIRT_E": "x y", "OVIRT_I": "ind", "OVIRT_T": "v", "OVIRT_EMPTY": "",
                     "OVIRT_H": "a#b", "OVIRT_Q": "s q"}
    for key, value in items.items():
        assert shell_value(file, key) == value, key
    assert store.unparsed_lines() == ["garbage here", "OVIRT_D=$HOME", "if [ x ]; then :; fi"]
    store.set("OVIRT_T", "new")
    store.remove("OVIRT_E")
    store.set("OVIRT_NEW", "1")
    store.save()
    assert file.read_text() == ("#\n# head\n\n  OVIRT_I=ind\nOVIRT_T=\"new\" # note\nOVIRT_EMPTY=\nOVIRT_H=a#b\n"
                                "OVIRT_Q='s q'\n  garbage here\nOVIRT_D=$HOME\nif [ x ]; then :; fi\n"
                                'OVIRT_NEW="1"\n')
