"""bench_gui.py on another revision and on this checkout, alternately, to compare UI stalls.

    .venv/bin/python bench/bench_gui_ab.py [--base REV] [--pairs 5] [--epochs 5]

The base revision (default: where this branch last met main, `git merge-base HEAD main`, so
only this branch's own changes differ) is unpacked with `git archive` into a temporary folder (no checkout changes)
and runs with this checkout's virtual environment. Each bench_gui.py process trains the demo
data once in the window; the order alternates (base, head, head, base, …) so drift in the
machine's load hits both sides alike, and each run holds /tmp/cfdesk-bench.lock. Prints every
run's summary and the medians per side.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ("worst_max_stall_ms", "median_throughput_ratio", "min_chart_updates_per_s",
           "median_ui_cpu_ms_per_update", "worst_after_run_stall_ms")  # fmt: skip


def git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout.strip()


def unpack(revision: str, into: Path) -> Path:
    """The revision's files (no .git) in `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def one_run(tree: Path, epochs: int) -> dict:
    """One bench_gui.py process on `tree`'s code; its summary line."""
    env = {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen"}
    command = ["flock", "/tmp/cfdesk-bench.lock", sys.executable,
               str(tree / "bench" / "bench_gui.py"), "--runs", "1", "--epochs", str(epochs)]  # fmt: skip
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    base = args.base or git("merge-base", "HEAD", "main")
    results: dict[str, list[dict]] = {"base": [], "head": []}
    with tempfile.TemporaryDirectory(prefix="cfdesk-ab-") as tmp:
        trees = {"base": unpack(base, Path(tmp)), "head": ROOT}
        for pair in range(args.pairs):
            order = ("base", "head") if pair % 2 == 0 else ("head", "base")
            for side in order:
                summary = one_run(trees[side], args.epochs)
                results[side].append(summary)
                shown = ", ".join(f"{k} {summary[k]:.2f}" for k in FIGURES)
                print(f"pair {pair + 1} {side}: {shown}; load {summary['load_average_1min']:.1f}",
                      flush=True)  # fmt: skip
    medians = {
        side: {k: round(statistics.median(r[k] for r in runs), 2) for k in FIGURES}
        for side, runs in results.items()
    }
    print(json.dumps({"base": base, "head": git("rev-parse", "HEAD"), "pairs": args.pairs,
                      "medians": medians}))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
