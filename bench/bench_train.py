"""Training benchmark: u1 accuracy beside the book's recipe, and one epoch at MovieLens-25M's shape.

Run from the repository root:  python bench/bench_train.py [--device cpu|cuda] [--big-n N]
Everything in one run, side by side, so machine load affects all rows alike.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from cfdesk.core.config import TrainConfig
from cfdesk.core.ids import IdIndex
from cfdesk.core.ratings import Ratings
from cfdesk.core.reports import EpochReport
from cfdesk.core.train import Trainer, fit

ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"
BOOK = TrainConfig(  # fastai book ch. 8: EmbeddingDotBias, fit_one_cycle(5, 5e-3, wd=0.1), bs 64
    n_factors=50, y_range=(0.0, 5.5), epochs=5, lr=5e-3, weight_decay=0.1,
    bias_weight_decay=0.1, batch_size=64, lr_batch=64, valid_frac=0.0, implicit=False,
)  # fmt: skip
RUNS = {
    "cfdesk defaults (train on all of u1.base)": TrainConfig(valid_frac=0.0),
    "cfdesk defaults, 10% of u1.base held for validation": TrainConfig(),
    "cfdesk defaults without the implicit term": TrainConfig(valid_frac=0.0, implicit=False),
    "cfdesk --model nn (all of u1.base)": TrainConfig(model="nn", valid_frac=0.0),
    "book recipe replica (batch 64)": BOOK,
    "book recipe at batch 8192, lr x sqrt(128)": BOOK.with_changes(
        batch_size=8192, lr=5e-3 * math.sqrt(128), lr_batch=8192
    ),
}
BIG_SHAPE = (162_541, 59_047, 25_000_095)  # MovieLens-25M users, items, ratings


def _load_u(name: str) -> Ratings:
    from cfdesk.core.loader import load_ratings

    return load_ratings(ML100K / name, items=False)


def accuracy(device: str) -> list[dict]:
    """Test RMSE on u1.test for each configuration (validation, if any, is carved from u1.base)."""
    base, test = _load_u("u1.base"), _load_u("u1.test")
    rows = []
    for name, config in RUNS.items():
        fitted = fit(base, config.with_changes(device=device), test)
        m = fitted.metrics
        rows.append({
            "run": name, "test_rmse": m["test_rmse"], "test_mae": m["test_mae"],
            "fit_seconds": m["fit_seconds"], "batch": m["batch_size"], "lr": m["lr"],
            "epochs": m["epochs_run"], "bias_baseline": m["baselines"]["user_item_bias"]["test"],
        })  # fmt: skip
        print(f"  {name:55s} test RMSE {m['test_rmse']:.4f}  fit {m['fit_seconds']:6.2f}s",
              file=sys.stderr, flush=True)  # fmt: skip
    return rows


def synthetic_big(n: int, seed: int = 0) -> Ratings:
    """Ratings with MovieLens-25M's shape, made in memory: uniform users, long-tailed items."""
    n_users, n_items, _ = BIG_SHAPE
    rng = np.random.default_rng(seed)
    users = rng.integers(0, n_users, n, dtype=np.int32)
    items = (rng.zipf(1.3, n) % n_items).astype(np.int32)
    rating = (rng.integers(1, 11, n) / 2).astype(np.float32)
    return Ratings(users, items, rating, IdIndex(np.arange(n_users)), IdIndex(np.arange(n_items)))


def big_epoch(n: int, device: str, factors: int) -> dict:
    """One epoch at 25M scale (run in a child process so peak RSS is this work's alone)."""
    ratings = synthetic_big(n)
    config = TrainConfig(n_factors=factors, epochs=1, valid_frac=0.0, device=device)
    trainer = Trainer(ratings, None, config)
    reports = trainer.reports()
    next(reports)  # FitStarted: data on the device, baselines done
    cpu0 = time.process_time()
    epoch = next(r for r in reports if isinstance(r, EpochReport))
    cpu_seconds = time.process_time() - cpu0
    return {
        "n_ratings": n, "factors": factors, "device": str(trainer.device),
        "batch": trainer.batch_size, "epoch_seconds": epoch.seconds,
        "ratings_per_second": epoch.samples_per_second,
        "cpu_seconds": cpu_seconds,  # process CPU time: less sensitive to other load than wall
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "peak_gpu_gb": (epoch.memory.torch_peak or 0) / 1e9 if epoch.memory else 0,
    }  # fmt: skip


def big_in_child(n: int, device: str, factors: int) -> dict:
    """Measure big_epoch in a fresh interpreter and read its JSON line."""
    cmd = [sys.executable, __file__, "--big-child", "--big-n", str(n), "--device", device,
           "--factors", str(factors)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def table(summary: dict) -> str:
    """Markdown table of every row, for docs/training.md and the GPU check."""
    lines = ["| run | test RMSE | fit seconds | batch | lr |", "|---|---|---|---|---|"]
    for row in summary.get("u1", []):
        lines.append(f"| {row['run']} | {row['test_rmse']:.4f} | {row['fit_seconds']:.2f} | "
                     f"{row['batch']} | {row['lr']:.4g} |")  # fmt: skip
    big = summary.get("big")
    if big and "error" not in big:
        lines += ["", "| big set | epoch seconds | ratings/s | peak RSS GB | peak GPU GB |",
                  "|---|---|---|---|---|",
                  f"| {big['n_ratings']:,} ratings, {big['factors']} factors, "
                  f"{big['device']}, batch {big['batch']} | {big['epoch_seconds']:.2f} | "
                  f"{big['ratings_per_second'] / 1e6:.2f} M | {big['peak_rss_gb']:.2f} | "
                  f"{big['peak_gpu_gb']:.2f} |"]  # fmt: skip
    elif big:
        lines.append(f"big set failed: {big['error']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy table and the big-epoch row, and a JSON summary as the last line."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--big-n", type=int, default=BIG_SHAPE[2])
    p.add_argument("--factors", type=int, default=64)
    p.add_argument("--skip-accuracy", action="store_true")
    p.add_argument("--skip-big", action="store_true")
    p.add_argument("--big-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.big_child:
        print(json.dumps(big_epoch(args.big_n, args.device, args.factors)))
        return 0
    started = time.perf_counter()
    summary: dict = {"device": args.device}
    if not args.skip_accuracy:
        print("u1.base -> u1.test", file=sys.stderr)
        summary["u1"] = accuracy(args.device)
    if not args.skip_big:
        summary["big"] = big_in_child(args.big_n, args.device, args.factors)
        print(f"  big epoch: {summary['big']}", file=sys.stderr)
    summary["bench_seconds"] = time.perf_counter() - started
    print(table(summary))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
