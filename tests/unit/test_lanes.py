"""worker.Lanes: the first screen's values in turn on one thread, another thread beside it
when one takes long, each result (or exception) handed on as its work ends."""

from __future__ import annotations

import threading
import time

from ovirt_node.ui.worker import Immediate, Lanes


def test_quick_works_run_in_order_on_one_thread() -> None:
    seen: list[tuple[str, str]] = []
    jobs = [(lambda n=n: (n, threading.current_thread().name), seen.append) for n in "abcde"]
    lanes = Lanes(jobs, Immediate())  # type: ignore[arg-type]
    assert lanes.wait(5)
    assert [n for n, _thread in seen] == list("abcde") and len(lanes.threads) == 1


def test_a_slow_work_gets_the_rest_a_thread_of_their_own() -> None:
    release = threading.Event()
    seen: list[object] = []
    jobs = [(lambda: release.wait(5) and "slow", seen.append), (lambda: "quick", seen.append),
            (lambda: 1 / 0, seen.append)]
    lanes = Lanes(jobs, Immediate(), stall=0.02)  # type: ignore[arg-type]
    started = time.monotonic()
    assert not lanes.wait(0.3)  # the slow one is still running
    assert time.monotonic() - started < 1
    assert seen[0] == "quick" and isinstance(seen[1], ZeroDivisionError) and len(lanes.threads) == 2
    release.set()
    assert lanes.wait(5) and seen[2] == "slow"


def test_no_work_no_thread() -> None:
    lanes = Lanes([], Immediate())
    assert lanes.wait(0) and lanes.threads == []
