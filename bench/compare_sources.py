"""Run one benchmark on two cfdesk source trees alternately and print their summaries side by side.

    .venv/bin/python bench/compare_sources.py --before /tmp/cfdesk-base [--rounds 2] \\
        -- bench/bench_gui.py --epochs 15 --runs 3

`--before` is another checkout or export (e.g. `git archive main | tar -x -C /tmp/cfdesk-base`);
"after" is this tree. `{source}` in the benchmark's arguments becomes the tree being run (for
benchmarks that launch the app themselves: `-- bench/bench_startup.py --source {source}`). Each round runs the benchmark once on each, before first, so machine noise
hits both alike. The benchmark must end its output with one JSON line (all of bench/ do);
numeric fields are printed per round and as medians with the after/before ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_on(source: Path, bench: list[str]) -> dict:
    """The benchmark's last JSON line, run with `source` first on the import path."""
    script = (ROOT / bench[0]).resolve()
    env = {**os.environ, "PYTHONPATH": str(source), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, str(script), *(a.replace("{source}", str(source)) for a in bench[1:])],
        capture_output=True, text=True, env=env, cwd=source, timeout=1800,
    )  # fmt: skip
    lines = [x for x in out.stdout.splitlines() if x.startswith("{")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{bench[0]} failed on {source}: {out.stderr[-800:]}")
    for line in out.stdout.splitlines():
        if line.startswith("run "):
            print(f"  {source.name}: {line}", flush=True)
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the other source tree")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("bench", nargs=argparse.REMAINDER, help="-- SCRIPT [ARGS...]")
    args = parser.parse_args()
    bench = args.bench[1:] if args.bench[:1] == ["--"] else args.bench
    sides = {"before": args.before.resolve(), "after": ROOT}
    results: dict[str, list[dict]] = {"before": [], "after": []}
    for round_ in range(args.rounds):
        for side, source in sides.items():
            print(f"round {round_ + 1}, {side} ({source}):", flush=True)
            results[side].append(run_on(source, bench))
    keys = [k for k, v in results["after"][0].items() if isinstance(v, (int, float))]
    summary = {}
    for key in keys:
        before = statistics.median(r[key] for r in results["before"])
        after = statistics.median(r[key] for r in results["after"])
        ratio = after / before if before else float("nan")
        summary[key] = {"before": before, "after": after, "after/before": round(ratio, 3)}
        print(f"{key:40s} before {before:10.3f}  after {after:10.3f}  ratio {ratio:6.2f}")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
