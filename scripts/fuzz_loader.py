"""Loader fuzz, long profile: N generated files through load_ratings; prints what happened.

    .venv/bin/python scripts/fuzz_loader.py [--cases 10000] [--seed 0]

A crash is any exception other than DataError, a wrong reading of a well-formed file, a refusal
that does not name the file, a warning, or a case that runs past the watchdog.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import signal
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from unittest import mock

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reliability"))
from loader_cases import Case, any_case, check

from cfdesk.core.data.loader import load
from cfdesk.core.data.loader.read import Refused

WATCHDOG_SECONDS = 30


class Hang(Exception):
    """One case ran past the watchdog."""


def _alarm(signum, frame):
    raise Hang(f"a case ran for more than {WATCHDOG_SECONDS} s")


def main(argv: list[str] | None = None) -> int:
    """Run the cases and print one line per figure; exit 1 when anything crashed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    counts: collections.Counter = collections.Counter()
    slowest: list = [0.0, None]
    seconds_per_case: list[float] = []
    crashes: list[str] = []
    signal.signal(signal.SIGALRM, _alarm)

    @seed(args.seed)
    @settings(
        max_examples=args.cases,
        deadline=None,
        database=None,
        phases=["generate"],
        suppress_health_check=list(HealthCheck),
    )
    @given(any_case(), st.booleans())
    def run(case: Case, flag: bool) -> None:
        """`flag`: skip bad rows (damaged files) or force the line-by-line parser (well-formed)."""
        kind = "well-formed" if case.expected is not None else "damaged or random"
        forced = flag and case.expected is not None
        slow_path = mock.patch.object(load, "read_fast", side_effect=Refused("forced"))
        start = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
            warnings.simplefilter("error")
            signal.alarm(WATCHDOG_SECONDS)
            try:
                with slow_path if forced else contextlib.nullcontext():
                    outcome = check(case, Path(folder), flag and not forced)
            except Exception:  # counting them is the point (Hang included)
                outcome = "crash"
                crashes.append(f"{case!r}\n{traceback.format_exc(limit=4)}")
            finally:
                signal.alarm(0)
        seconds = time.perf_counter() - start
        seconds_per_case.append(seconds)
        if seconds > slowest[0]:
            slowest[:] = [seconds, case]
        counts["tried"] += 1
        counts[outcome] += 1
        counts[f"{kind} {outcome}"] += 1
        counts["line-by-line parser forced"] += forced

    start = time.perf_counter()
    run()
    total = time.perf_counter() - start
    print(f"cases tried:        {counts['tried']:,}")
    for key in ("accepted", "refused", "crash"):
        print(f"{key + ':':<20}{counts[key]:,}")
    for kind in ("well-formed", "damaged or random"):
        parts = ", ".join(
            f"{o} {counts[f'{kind} {o}']:,}" for o in ("accepted", "refused", "crash")
        )
        print(f"  {kind}: {parts}")
    median, p99 = statistics.quantiles(seconds_per_case, n=100)[49], max(seconds_per_case)
    if len(seconds_per_case) >= 100:
        p99 = statistics.quantiles(seconds_per_case, n=100)[98]
    print(f"  (well-formed via the line-by-line parser: {counts['line-by-line parser forced']:,})")
    print(
        f"seconds a case:     median {median:.3f}, 99th percentile {p99:.3f}, max {slowest[0]:.3f}"
    )
    print(f"slowest case:       {slowest[1]!r}")
    print(f"total seconds:      {total:.1f}")
    for text in crashes[:5]:
        print("\n--- crash ---\n" + text)
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
