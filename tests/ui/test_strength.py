"""The password-strength hint: libpwquality's pwscore when present, else the heuristic."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pytest

from ovirt_node.core.run import Result
from ovirt_node.system import strength as strength_mod
from ovirt_node.system.strength import heuristic, pwscore, strength


class FakePwscore:
    def __init__(self, code: int, stdout: str = "", stderr: str = "") -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr
        self.calls: list[dict[str, Any]] = []

    def __call__(self, argv: Sequence[str], *, input: str | None = None, secrets: Iterable[str] = (),
                 **kwargs: Any) -> Result:
        self.calls.append({"argv": list(argv), "input": input, "secrets": list(secrets), **kwargs})
        return Result(tuple(argv), self.code, self.stdout, self.stderr)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strength_mod.shutil, "which", lambda name: f"/usr/bin/{name}")


def test_pwscore_gets_the_password_on_stdin_never_in_argv(installed: None) -> None:
    fake = FakePwscore(0, "83\n")
    result = pwscore("Tr0ub4dor&3", fake)  # type: ignore[arg-type]
    assert result is not None and result.text == "strong (score 83 of 100)" and not result.weak
    call = fake.calls[0]
    assert call["argv"] == ["pwscore"] and call["input"] == "Tr0ub4dor&3\n"
    assert "Tr0ub4dor&3" not in " ".join(call["argv"])


def test_pwscore_low_score_and_rejection(installed: None) -> None:
    assert pwscore("x", FakePwscore(0, "12\n")).weak  # type: ignore[arg-type, union-attr]
    rejected = pwscore("password", FakePwscore(1, "", "Password quality check failed:\n The password fails the "
                                                      "dictionary check - it is based on a dictionary word\n"))  # type: ignore[arg-type]
    assert rejected is not None and rejected.weak
    assert rejected.text == "weak: The password fails the dictionary check - it is based on a dictionary word"
    assert pwscore("x", FakePwscore(0, "not a number")) is None  # type: ignore[arg-type]


def test_heuristic_without_pwscore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(strength_mod.shutil, "which", lambda name: None)
    assert strength("abc").text == "weak: use at least 8 characters"
    assert strength("abcdefghij").text.startswith("fair")
    assert strength("Abcdefgh-9").text == "strong"
    assert strength("").text == ""
    assert heuristic("Abcdefgh-9").score > heuristic("abcdefgh").score


def test_the_systems_pwscore_decides_when_installed() -> None:
    """The real libpwquality (make test installs libpwquality-tools): its verdicts, not ours."""
    assert strength_mod.shutil.which("pwscore"), "libpwquality-tools is not installed"
    short = strength("abc")
    assert short.weak and short.text == "weak: The password is shorter than 8 characters"
    dictionary = strength("password1")
    assert dictionary.weak and "dictionary" in dictionary.text
    good = strength("Tr0ub4dor&3-horse-staple")
    assert not good.weak and good.text.endswith("of 100)")


@pytest.mark.parametrize("typed", ["sword", "a", "ass", "The", "word", "s"])
def test_the_hint_never_spells_the_password_around_a_mask(typed: str) -> None:
    """Each of these is a piece of pwquality's own sentence: masking it there showed the rest
    of the sentence around the mask, which spelled the password."""
    assert strength_mod.shutil.which("pwscore"), "libpwquality-tools is not installed"
    hint = strength(typed)
    assert hint.weak and hint.text == "weak: The password is shorter than 8 characters"
    assert "*" not in hint.text

