"""Tune against the defaults on MovieLens-100k: the issue's u1 target and a second 80/20 split.

Run from the repository root (MovieLens-100k in ../shared/data/ml-100k):
    python bench/bench_tune.py [--minutes 10] [--ensemble 5] [--bag 2] [--sets u1,random]
                               [--seed 42] [--repeats 1]

Per data set: the defaults trained on every training rating, scored on the test rows; then
`cfdesk tune`'s search (validation split of the training rows only; the test rows are scored
once, at the end). Prints trials, best settings, validation and test RMSE side by side, and the
machine's load average before and after (other processes slow the search: fewer trials). With
--repeats N each data set is tuned N times (seeds seed, seed+1, ...: sampler, validation split
and models) and the medians are printed last.
  u1        u1.base / u1.test (the published split)
  temporal  u.data, each user's latest 20 % of ratings held out as the test set (split here);
            Tune's validation rows are each user's latest 10 % of the training rows, to match
  random    u.data, a random 20 % held out as the test set (seed 7; split here)
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()

from cfdesk.cli.progress import TuneProgress
from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import prepare_split, random_split, temporal_split
from cfdesk.core.runs.events import TuneSettings
from cfdesk.core.runs.search_space import BAG, ENSEMBLE
from cfdesk.core.runs.tune import Tuner, run_to_end
from cfdesk.core.training.trainer import Trainer

ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"


def data_set(name: str) -> tuple[Ratings, Ratings, str]:
    """(training file, test rows, validation split for Tune) of one named data set."""
    if name == "u1":
        base, test = load_ratings(ML100K / "u1.base"), load_ratings(ML100K / "u1.test", items=False)
        return base, test, "random"
    if name == "temporal":
        return (*temporal_split(load_ratings(ML100K / "u.data"), 0.2), "temporal")
    if name == "random":
        return (*random_split(load_ratings(ML100K / "u.data"), 0.2, 7), "random")
    raise SystemExit(f"unknown data set {name!r}; use u1, temporal or random")


def defaults_test_rmse(train: Ratings, test: Ratings) -> float:
    """The defaults trained on every training rating (as `cfdesk train --test` does)."""
    config = TrainConfig(valid_frac=0.0)
    train, _, test = prepare_split(train, config, test)
    trainer = Trainer(train, None, config, test)
    for _ in trainer.reports():
        pass
    return trainer.result().metrics["test_rmse"]


def tune_once(name: str, train: Ratings, test: Ratings, split: str, args, seed: int) -> dict:
    """One Tune of one data set; its JSON row (the defaults' test RMSE is added by the caller)."""
    settings = TuneSettings(minutes=args.minutes, ensemble=args.ensemble, seed=seed, bag=args.bag)
    load_before = os.getloadavg()
    started = time.perf_counter()
    base = TrainConfig(split=split)
    result = run_to_end(Tuner(train, settings, base, test), TuneProgress(sys.stdout).update)
    tune_facts = result.fitted.metrics["tune"] if result.fitted else {}
    members = result.fitted.metrics.get("ensemble", {}).get("members", []) if result.fitted else []
    return {
        "data": name,
        "validation": split,
        "seed": seed,
        **result.summary(),
        "chosen": [m["config"]["model"] for m in members] or [result.best_params.get("model")],
        "chosen_trials": tune_facts.get("chosen_trials", []),
        "wall_seconds": round(time.perf_counter() - started, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--ensemble", type=int, default=ENSEMBLE)
    parser.add_argument("--bag", type=int, default=BAG)
    parser.add_argument("--sets", default="u1,random")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    for name in args.sets.split(","):
        train, test, split = data_set(name)
        defaults = defaults_test_rmse(train, test)
        print(f"{name}: {train!r}, test {test.n_ratings:,} ratings; defaults' test RMSE "
              f"{defaults:.4f}; tuning {args.minutes} min × {args.repeats}", flush=True)  # fmt: skip
        rows = []
        for k in range(args.repeats):
            row = tune_once(name, train, test, split, args, args.seed + k)
            row["defaults_test_rmse"] = round(defaults, 6)
            row["gain"] = round(defaults - row["test_rmse"], 6)
            rows.append(row)
            print(json.dumps(row), flush=True)
        median = {key: statistics.median(r[key] for r in rows)
                  for key in ("test_rmse", "gain", "trials", "valid_rmse")}  # fmt: skip
        print(json.dumps({"data": name, "repeats": len(rows), "median": median}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
