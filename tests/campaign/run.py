"""The attack campaign of issue 20, reproducible: `make campaign` (or
`python -m tests.campaign.run --seed N --scale F --jobs J`). Not part of `make test`.

Each family runs its attacks at the issue's scale (times --scale) against the real front doors
and checks the issue's invariants after each case; the families and the chunks of the big
fuzz families run in a pool of --jobs processes. Prints a table and writes
build/campaign/campaign-<seed>.json (counts, failures, durations); exit 1 if any case failed."""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from tests.campaign import fuzz, leaks, procs

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "campaign"
CHUNK = 500

Outcome = tuple[int, list[str], dict[str, int]]


@dataclass
class Row:
    """One family's totals: cases, failures (each says what and where), CPU seconds, details."""

    cases: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    detail: dict[str, int] = field(default_factory=dict)


def plan(seed: int, scale: float) -> list[tuple[str, Callable[..., Outcome], tuple[object, ...]]]:
    """(family, function, arguments) for every task; the big families come in chunks."""
    def n(base: int) -> int:
        return max(1, round(base * scale))

    tasks: list[tuple[str, Callable[..., Outcome], tuple[object, ...]]] = []
    for family, total in (("set", n(12_000)), ("cmdline", n(2_000))):
        for start in range(0, total, CHUNK):
            tasks.append((family, fuzz.fuzz_chunk, ((family, seed, start, min(CHUNK, total - start)),)))
    tasks += [("kill", procs.kills, (seed, n(50))), ("race", procs.races, (seed, n(160))),
              ("answers", fuzz.answers_family, (seed,)), ("symlink", leaks.symlinks, (seed,)),
              ("secrets", leaks.secrets, (seed, n(15)))]
    return tasks


def _run(task: tuple[str, Callable[..., Outcome], tuple[object, ...]]) -> tuple[str, Outcome, float]:
    family, function, args = task
    start = time.monotonic()
    try:
        outcome = function(*args)
    except Exception as exc:  # noqa: BLE001  (a harness error is a failure of the family, shown)
        outcome = (0, [f"the campaign itself failed: {exc!r}"], {})
    return family, outcome, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="campaign", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the issue's figures (default 1)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", action="append", help="run only this family (repeatable)")
    args = parser.parse_args(argv)
    tasks = [t for t in plan(args.seed, args.scale) if not args.only or t[0] in args.only]
    # The slow process families first, so the fuzz chunks fill the pool around them.
    tasks.sort(key=lambda t: t[0] in ("set", "cmdline"))
    totals: dict[str, Row] = {}
    began = time.monotonic()
    with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
        for family, (cases, failures, detail), took in pool.imap_unordered(_run, tasks):
            row = totals.setdefault(family, Row())
            row.cases += cases
            row.failures += failures
            row.seconds += took
            for key, value in detail.items():
                row.detail[key] = row.detail.get(key, 0) + value
            print(f"  {family}: +{cases} cases, {len(failures)} failures, {took:.0f} s", file=sys.stderr, flush=True)
    wall = time.monotonic() - began
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    report = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit, "seed": args.seed,
              "scale": args.scale, "jobs": args.jobs, "wall_seconds": round(wall),
              "families": {name: asdict(row) for name, row in sorted(totals.items())}}
    print(f"\nCampaign seed {args.seed}, scale {args.scale}, commit {commit}, {report['date']}, "
          f"{wall / 60:.1f} min wall\n")
    print(f"| {'family':<8} | {'cases':>6} | {'failures':>8} | {'CPU s':>6} |")
    print(f"|{'-' * 10}|{'-' * 8}:|{'-' * 10}:|{'-' * 8}:|")
    for family, row in sorted(totals.items()):
        print(f"| {family:<8} | {row.cases:>6} | {len(row.failures):>8} | {row.seconds:>6.0f} |")
    for family, row in sorted(totals.items()):
        for failure in row.failures[:20]:
            print(f"FAIL {family}: {failure}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"campaign-{args.seed}.json"
    path.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print(f"\n{path}")
    return 1 if any(row.failures for row in totals.values()) else 0


if __name__ == "__main__":
    os.nice(5)
    sys.exit(main())
