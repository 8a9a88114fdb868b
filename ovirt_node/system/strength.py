"""A password-strength hint: the system's own verdict (libpwquality's `pwscore`) when it is
installed, else a small length-and-character-classes heuristic.

The hint never blocks Save by itself; the field's validator decides what is acceptable.
The password goes to `pwscore` on stdin, never in argv, so the command log cannot carry it.
pwscore answers in fixed sentences that never quote the password; they are shown whole. (Masking
the typed text inside them spelled the password around the mask: typing `sword` showed "The
pas******** is shorter than 8 characters".)
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from ovirt_node.core.run import CommandError, Runner, run

MIN_LENGTH = 8


@dataclass(frozen=True)
class Strength:
    score: int  # 0..100
    text: str
    weak: bool


def heuristic(password: str) -> Strength:
    """Length and how many of lower, upper, digit and other characters appear."""
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    score = min(100, len(password) * 5 + max(classes - 1, 0) * 15)
    if len(password) < MIN_LENGTH:
        return Strength(score, f"weak: use at least {MIN_LENGTH} characters", True)
    if classes < 3:
        return Strength(score, "fair: mix upper and lower case, digits and symbols", False)
    return Strength(score, "strong", False)


def pwscore(password: str, runner: Runner = run) -> Strength | None:
    """libpwquality's verdict; None when `pwscore` is missing or answers oddly."""
    if shutil.which("pwscore") is None:
        return None
    try:
        result = runner(["pwscore"], input=password + "\n", check=False, timeout=10)
    except CommandError:
        return None
    if result.ok:
        try:
            score = int(result.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return None
        if score < 30:
            return Strength(score, f"weak (score {score} of 100)", True)
        return Strength(score, f"{'fair' if score < 60 else 'strong'} (score {score} of 100)", False)
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    reason = lines[-1] if lines else "rejected by the password quality check"
    return Strength(0, f"weak: {reason}", True)


def strength(password: str, runner: Runner = run) -> Strength:
    if not password:
        return Strength(0, "", True)
    return pwscore(password, runner) or heuristic(password)
