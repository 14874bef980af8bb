"""Training benchmark: u1 accuracy beside the book's recipe, and one epoch at MovieLens-25M's shape.

Run from the repository root:  python bench/bench_train.py [--device cpu|cuda] [--big-n N]
Everything in one run, side by side, so machine load affects all rows alike.
`--compare-threads R` instead times the big epoch and the u1 default fit at 1 and 2 CPU threads,
alternating, R runs each in fresh processes, and prints the medians.
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()  # as the app and the CLI do, before torch loads OpenMP

import numpy as np

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.training.reports import EpochReport
from cfdesk.core.training.trainer import Trainer, fit

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
    from cfdesk.core.data.loader import load_ratings

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


def synthetic_big(n: int, seed: int = 0, shape: tuple[int, int] = BIG_SHAPE[:2]) -> Ratings:
    """Ratings with MovieLens-25M's shape (or `shape`: users, items), made in memory: uniform
    users, long-tailed items."""
    n_users, n_items = shape
    rng = np.random.default_rng(seed)
    users = rng.integers(0, n_users, n, dtype=np.int32)
    items = (rng.zipf(1.3, n) % n_items).astype(np.int32)
    rating = (rng.integers(1, 11, n) / 2).astype(np.float32)
    return Ratings(users, items, rating, IdIndex(np.arange(n_users)), IdIndex(np.arange(n_items)))


def force_threads(n: int) -> None:
    """Pin torch to n CPU threads and bypass the trainer's thread policy, to compare counts."""
    import torch

    from cfdesk.core.training import trainer

    torch.set_num_threads(n)
    trainer.cpu_threads_for = lambda device, n_params: contextlib.nullcontext()


def u1_default_fit() -> dict:
    """The default fit on all of u1.base, scored on u1.test (the small-model thread check)."""
    import torch

    threads: list[int] = []  # read at FitStarted, inside the trainer's thread policy
    config = TrainConfig(valid_frac=0.0, device="cpu")
    on_report = lambda r: threads.append(torch.get_num_threads())  # noqa: E731
    fitted = fit(_load_u("u1.base"), config, _load_u("u1.test"), on_report)
    m = fitted.metrics
    return {"fit_seconds": m["fit_seconds"], "test_rmse": m["test_rmse"], "threads": threads[0]}


def big_epoch(n: int, device: str, factors: int) -> dict:
    """One epoch at 25M scale (run in a child process so peak RSS is this work's alone)."""
    import torch

    ratings = synthetic_big(n)
    config = TrainConfig(n_factors=factors, epochs=1, valid_frac=0.0, device=device)
    trainer = Trainer(ratings, None, config)
    reports = trainer.reports()
    next(reports)  # FitStarted: data on the device, baselines done
    threads = torch.get_num_threads()  # inside the trainer's thread policy now
    cpu0 = time.process_time()
    epoch = next(r for r in reports if isinstance(r, EpochReport))
    cpu_seconds = time.process_time() - cpu0
    return {
        "n_ratings": n, "factors": factors, "device": str(trainer.device),
        "batch": trainer.batch_size, "threads": threads, "epoch_seconds": epoch.seconds,
        "ratings_per_second": epoch.samples_per_second,
        "cpu_seconds": cpu_seconds,  # process CPU time: less sensitive to other load than wall
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
        "peak_gpu_gb": (epoch.memory.torch_peak or 0) / 1e9 if epoch.memory else 0,
    }  # fmt: skip


def in_child(*args: str) -> dict:
    """Run this script with `args` in a fresh interpreter and read its JSON line."""
    cmd = [sys.executable, __file__, *args]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode:
        return {"error": out.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def big_in_child(n: int, device: str, factors: int, threads: int = 0) -> dict:
    """Measure big_epoch in a fresh process (threads 0: the trainer's own policy)."""
    return in_child("--big-child", "--big-n", str(n), "--device", device,
                    "--factors", str(factors), "--threads", str(threads))  # fmt: skip


def compare_threads(runs: int, n: int, factors: int) -> dict:
    """Big epoch and u1 fit at 1 and 2 threads, alternating so load drifts hit both alike."""
    rows: dict = {t: {"big": [], "u1": []} for t in (1, 2)}
    for _ in range(runs):
        for t in (1, 2):
            rows[t]["big"].append(big_in_child(n, "cpu", factors, t))
            rows[t]["u1"].append(in_child("--u1-child", "--threads", str(t)))
            print(f"  {t} thread(s): {rows[t]['big'][-1]} {rows[t]['u1'][-1]}", file=sys.stderr)
    summary = {}
    for t, got in rows.items():
        big = [r for r in got["big"] if "error" not in r]
        summary[f"{t}_threads"] = {
            "big_epoch_seconds": statistics.median(r["epoch_seconds"] for r in big),
            "big_ratings_per_second": statistics.median(r["ratings_per_second"] for r in big),
            "u1_fit_seconds": statistics.median(r["fit_seconds"] for r in got["u1"]),
            "u1_test_rmse": sorted({r["test_rmse"] for r in got["u1"]}),
            "runs": len(big),
        }
    summary["load_average"] = os.getloadavg()
    return summary


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
                  f"{big['device']}, batch {big['batch']}, {big['threads']} thread(s) | {big['epoch_seconds']:.2f} | "
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
    p.add_argument("--compare-threads", type=int, metavar="R", help="1 vs 2 threads, R runs each")
    p.add_argument("--big-child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--u1-child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=0, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.threads:
        force_threads(args.threads)
    if args.big_child or args.u1_child:
        big = args.big_child
        print(
            json.dumps(
                big_epoch(args.big_n, args.device, args.factors) if big else u1_default_fit()
            )
        )
        return 0
    if args.compare_threads:
        print(json.dumps(compare_threads(args.compare_threads, args.big_n, args.factors)))
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
