"""Validation-only tuning: settings compared on splits carved from u1.base (u1.test is never read).

Run from the repository root:  python bench/tune_train.py "[{}, {'implicit': False}]" [--seeds 3]
Each setting is a dict of TrainConfig changes; every setting trains on the same splits, two
protocols × seeds: a random 10 % of u1.base, and a u1-like carve (half the users lose 40 % of
their ratings, as u1.test was made). Prints the mean validation RMSE per protocol.
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
import ast
import statistics
import sys
import time
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()  # as the app and the CLI do, before torch loads OpenMP

import numpy as np
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import random_split
from cfdesk.core.training.trainer import Trainer

ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"


def u1_like(ratings: Ratings, seed: int) -> tuple[Ratings, Ratings]:
    """Half the users (at random) lose 40 % of their ratings to validation."""
    rng = np.random.default_rng(seed)
    chosen = rng.random(ratings.n_users) < 0.5
    hold = chosen[ratings.user_idx] & (rng.random(ratings.n_ratings) < 0.4)
    return ratings.subset(~hold), ratings.subset(hold)


def splits(base: Ratings, seeds: int):
    """(protocol, train, valid) for every seed of both protocols."""
    for seed in range(seeds):
        yield ("random", *random_split(base, 0.1, 100 + seed))
        yield ("u1-like", *u1_like(base, 200 + seed))


def score(config: TrainConfig, train: Ratings, valid: Ratings) -> tuple[float, float]:
    """(validation RMSE, fit seconds) of one training run."""
    trainer = Trainer(train, valid, config)
    started = time.perf_counter()
    for _ in trainer.reports():
        pass
    return trainer.result().metrics["valid_rmse"], time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Print one line per setting: mean validation RMSE per protocol and median fit seconds."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("settings", help="a Python list of dicts of TrainConfig changes")
    p.add_argument("--seeds", type=int, default=3)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    base = load_ratings(ML100K / "u1.base", items=False)
    runs = list(splits(base, args.seeds))
    for changes in ast.literal_eval(args.settings):
        config = TrainConfig(device="cpu", valid_frac=0.0, **changes)
        rmse: dict[str, list[float]] = {}
        seconds = []
        for protocol, train, valid in runs:
            value, secs = score(config, train, valid)
            rmse.setdefault(protocol, []).append(value)
            seconds.append(secs)
        means = "  ".join(f"{k} {statistics.mean(v):.4f}" for k, v in rmse.items())
        print(f"{changes}  {means}  fit {statistics.median(seconds):.2f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
