"""Failures as sentences: the cause in words and what to do, never an exception's repr."""

from __future__ import annotations

from pathlib import Path

import pytest

from ovirt_node.areas.kdump import fetch
from ovirt_node.core.explain import advice, cause, sentence
from ovirt_node.core.transaction import failure_text


def test_a_missing_kdump_key_file_is_a_sentence_with_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "kdump_id"
    with pytest.raises(Exception) as raised:
        fetch(f"file://{missing}")
    text = sentence("Fetch the SSH key for kdump", raised.value)
    assert text == (f"Fetch the SSH key for kdump did not work: No such file or directory: {missing}.\n"
                    "Check that the path is right and the file is there, then try again.")
    assert "urlopen" not in failure_text(raised.value) and "Errno" not in failure_text(raised.value)


def test_an_unreachable_key_server_says_to_check_the_network() -> None:
    with pytest.raises(Exception) as raised:
        fetch("http://127.0.0.1:9/key", timeout=5)  # the discard port: nothing listens
    assert "refused" in cause(raised.value).lower()
    assert advice(raised.value).startswith("Check the address and that the node can reach it")


def test_a_read_only_or_full_file_system_gets_its_own_advice(tmp_path: Path) -> None:
    denied = PermissionError(13, "Permission denied", str(tmp_path / "f"))
    assert cause(denied) == f"Permission denied: {tmp_path / 'f'}"
    assert "permissions" in advice(denied)
    assert "Free some space" in advice(OSError(28, "No space left on device"))


def test_an_exception_without_a_message_names_its_type_and_place() -> None:
    try:
        next(iter([]))
    except StopIteration as exc:
        assert cause(exc).startswith("StopIteration (no message) in test_an_exception_without_a_message")
    assert sentence("Saving", ValueError("bad value.")) == (
        "Saving did not work: bad value.\nTry again; if it fails again, the details are in the log: "
        "write a support bundle (F8).")
