"""CPU speed of this tree against another checkout of cfdesk, alternating fresh processes.

Run from the repository root (one benchmark at a time on a shared machine):
    git archive main | tar -x -C /tmp/cfdesk-main
    flock /tmp/cfdesk-bench.lock .venv/bin/python bench/compare_trees.py /tmp/cfdesk-main --runs 5
Each run is `bench/bench_train.py --big-child` (one epoch at MovieLens-25M's shape, 64 factors)
and `--u1-child` (the default fit on u1.base, needs ../shared) in each tree, the two trees in
turn so load drifts hit both alike; prints the medians and each run's figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def child(tree: Path, *args: str) -> dict:
    """One bench_train.py child run in `tree` with this interpreter; its JSON line."""
    cmd = [sys.executable, str(tree / "bench" / "bench_train.py"), *args]
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    out = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("other", type=Path, help="another cfdesk checkout (e.g. main)")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--big-n", default="25000095")
    args = p.parse_args()
    trees = {"this": HERE, "other": args.other.resolve()}
    rows: dict[str, dict[str, list]] = {name: {"big": [], "u1": []} for name in trees}
    for run in range(args.runs):
        for name, tree in trees.items():
            rows[name]["big"].append(child(tree, "--big-child", "--big-n", args.big_n))
            rows[name]["u1"].append(child(tree, "--u1-child"))
            big, u1 = rows[name]["big"][-1], rows[name]["u1"][-1]
            print(f"run {run + 1} {name}: epoch {big['epoch_seconds']:.2f} s, "
                  f"u1 fit {u1['fit_seconds']:.2f} s", file=sys.stderr)  # fmt: skip
    summary = {
        name: {
            "big_epoch_seconds": statistics.median(r["epoch_seconds"] for r in got["big"]),
            "big_cpu_seconds": statistics.median(r["cpu_seconds"] for r in got["big"]),
            "u1_fit_seconds": statistics.median(r["fit_seconds"] for r in got["u1"]),
            "u1_test_rmse": sorted({round(r["test_rmse"], 6) for r in got["u1"]}),
        }
        for name, got in rows.items()
    }
    print(json.dumps({"medians": summary, "runs": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
