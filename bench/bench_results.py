"""Results-engine benchmarks: top-N quality on MovieLens u1 and export speed on a 162k × 59k model.

    python bench/bench_results.py ranking [--data /work/shared/data/ml-100k] [--seed 42]
    python bench/bench_results.py speed [--users N]

Figures go into docs/results.md. Timings are noisy on a shared machine: quote medians.
"""

# ruff: noqa: E402 (OpenMP is configured before torch is imported)
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from cfdesk.entry import configure_openmp

configure_openmp()  # as the app and the CLI do, before torch loads OpenMP

import numpy as np
import psutil
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.model import build_model
from cfdesk.core.results.recommend import (
    DEFAULT_LIKED_SHARE,
    DEFAULT_POPULARITY_WEIGHT,
    Recommender,
    scale_point,
)
from cfdesk.core.results.topn_metrics import (
    RankingReport,
    evaluate_popularity,
    evaluate_recommender,
    relevance_threshold,
    relevant_items,
)
from cfdesk.core.storage.export import export_recommendations
from cfdesk.core.training.trainer import fit

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k"
WEIGHTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
SHARES = (None, 0.5, 0.5625, 0.625, 0.6875, 0.75)  # liked floor: 3, 3.25, 3.5, 3.75, 4 on 1-5
HEADER = (
    "| ranking | precision@10 | recall@10 | NDCG@10 | users | coverage | items listed | Gini "
    "| top item in |\n|---|---|---|---|---|---|---|---|---|"
)


def _row(report: RankingReport) -> str:
    return (
        f"| {report.label} | {report.precision:.4f} | {report.recall:.4f} | {report.ndcg:.4f} "
        f"| {report.n_users} | {report.coverage:.1%} | {report.distinct:,} | {report.gini:.3f} "
        f"| {report.top_share:.0%} |"
    )


def _floor_label(share: float | None, fitted: FittedModel) -> str:
    return "no floor" if share is None else f"floor {scale_point(fitted.rating_range, share):g}"


def below(rec: Recommender, test: Ratings, stars: float) -> float:
    """Share of the top-10 slots of the test users that hold an item predicted below `stars`."""
    users, _ = relevant_items(rec.fitted, test, relevance_threshold(rec.fitted.rating_range))
    _, scores = rec.recommend_idx(users, n=10)
    return float(np.mean(scores[~np.isnan(scores)] < stars))


def ranking(data: Path, seed: int) -> dict:
    """Tune on a validation split of u1.base, then report u1.test once with the chosen defaults."""
    base = load_ratings(data / "u1.base")
    test = load_ratings(data / "u1.test", items=False)
    config = TrainConfig(device="cpu", seed=seed)
    train, valid, _ = prepare_split(base, config)  # the same seeded split fit() uses inside
    start = time.perf_counter()
    fitted = fit(base, config)
    used = fitted.config
    print(
        f"trained the default {used.model} model in {time.perf_counter() - start:.0f} s: "
        f"{used.n_factors} factors, {used.epochs} epochs, lr {used.lr}, batch {used.batch_size}, "
        f"weight decay {used.weight_decay}, y_range {used.y_range}, seed {seed}; "
        f"valid RMSE {fitted.metrics.get('valid_rmse', float('nan')):.4f}"
    )
    # For tuning only the training rows count as seen: the validation rows are what is sought.
    tuning = dataclasses.replace(fitted, seen=SeenItems.from_ratings(train))
    print("\nvalidation split of u1.base (only training rows excluded):\n" + HEADER)
    popular = evaluate_popularity(tuning, valid)
    sweep = {"popularity": popular.to_dict()}
    print(_row(popular))
    for share in SHARES:
        for weight in WEIGHTS:
            label = f"model, {_floor_label(share, fitted)}, prior {weight}"
            rec = Recommender(tuning, popularity_weight=weight, liked_share=share)
            report = evaluate_recommender(rec, valid, label=label)
            sweep[label] = report.to_dict()
            print(_row(report))
    # On u1.test every u1.base rating is "seen" (the validation rows were rated too).
    whole = dataclasses.replace(fitted, seen=SeenItems.from_ratings(base))
    chosen = (
        f"default ({_floor_label(DEFAULT_LIKED_SHARE, fitted)}, prior {DEFAULT_POPULARITY_WEIGHT})"
    )
    rankers = {
        chosen: Recommender(whole),
        f"previous default (no floor, prior {DEFAULT_POPULARITY_WEIGHT})": Recommender(
            whole, liked_share=None
        ),
        "model only (prior 0)": Recommender(whole, popularity_weight=0.0),
    }
    final = [evaluate_recommender(r, test, label=label) for label, r in rankers.items()]
    final.append(evaluate_popularity(whole, test))
    print("\nu1.test (all u1.base items excluded):\n" + HEADER)
    for report in final:
        print(_row(report))
    floor = scale_point(fitted.rating_range, DEFAULT_LIKED_SHARE)
    trust = {
        label: {f"below {stars:g}": below(r, test, stars) for stars in (3.0, floor)}
        for label, r in rankers.items()
    }
    print("\nshare of u1.test users' top-10 slots predicted below 3 stars / below the floor:")
    for label, shares in trust.items():
        print(f"  {label}: " + ", ".join(f"{k} {v:.1%}" for k, v in shares.items()))
    return {
        "validation": sweep,
        "test": [r.to_dict() for r in final],
        "below": trust,
        "metrics": fitted.metrics,
    }


def synthetic(n_users: int, n_items: int, n_ratings: int, factors: int = 50) -> FittedModel:
    """A dotbias model of MovieLens-25M size with random factors and random seen items."""
    rng = np.random.default_rng(0)
    module = build_model("dotbias", n_users, n_items, factors, (0.5, 5.5))
    with torch.no_grad():
        for param in module.parameters():
            param.normal_(0, 0.3)
    counts = rng.multinomial(n_ratings, np.full(n_users, 1 / n_users))
    indptr = np.zeros(n_users + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = rng.integers(0, n_items, n_ratings, dtype=np.int32)
    titles = np.array([f"Movie number {i} (1999)" for i in range(n_items)], dtype=object)
    return FittedModel(
        module=module,
        config=TrainConfig(),
        users=IdIndex(np.arange(1, n_users + 1)),
        items=IdIndex(np.arange(1, n_items + 1)),
        seen=SeenItems(indptr, indices),
        item_count=np.bincount(indices, minlength=n_items),
        item_mean=np.full(n_items, 3.5, np.float32),
        user_count=counts,
        rating_range=(0.5, 5.0),
        item_table=ItemTable(titles, tuple(() for _ in range(n_items))),
    )


class PeakRss:
    """Samples this process's resident memory every 20 ms to find the peak above a baseline."""

    def __init__(self) -> None:
        self.proc = psutil.Process()
        self.base = self.peak = self.proc.memory_info().rss
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._done.wait(0.02):
            self.peak = max(self.peak, self.proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def extra_mib(self) -> float:
        return (self.peak - self.base) / 2**20


def speed(n_users: int) -> dict:
    """recommend() latency and a full top-10 export of a 162,541 × 59,047 model."""
    fitted = synthetic(162_541, 59_047, 25_000_000)
    rec = Recommender(fitted)
    rec.recommend(1)  # first call builds the cached offsets
    latencies = []
    for user in range(2, 42):
        start = time.perf_counter()
        rec.recommend(user * 997 % 162_541 + 1)
        latencies.append(time.perf_counter() - start)
    users = None if n_users >= fitted.n_users else range(1, n_users + 1)
    cpu_before = sum(psutil.Process().cpu_times()[:2])
    with tempfile.TemporaryDirectory() as folder, PeakRss() as memory:
        out = Path(folder) / "recs.csv"
        summary = export_recommendations(rec, out, n=10, user_ids=users)
        size = os.path.getsize(out)
    cpu_seconds = sum(psutil.Process().cpu_times()[:2]) - cpu_before
    result = {
        "recommend_ms_median": 1000 * float(np.median(latencies)),
        "recommend_ms_p90": 1000 * float(np.quantile(latencies, 0.9)),
        "export_users": summary.users,
        "export_rows": summary.rows,
        "export_seconds": summary.seconds,
        # CPU seconds over 2 threads: what the wall time would be on 2 otherwise idle cores
        "export_cpu_seconds": cpu_seconds,
        "export_extra_peak_mib": memory.extra_mib,
        "file_mib": size / 2**20,
        "load_average": os.getloadavg()[0],
        "threads": torch.get_num_threads(),
    }
    print(json.dumps(result, indent=1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    rank = sub.add_parser("ranking")
    rank.add_argument("--data", type=Path, default=DATA)
    rank.add_argument("--seed", type=int, default=42, help="validation split seed (fit's default)")
    fast = sub.add_parser("speed")
    fast.add_argument("--users", type=int, default=162_541)
    args = parser.parse_args()
    if args.what == "ranking":
        ranking(args.data, args.seed)
    else:
        speed(args.users)


if __name__ == "__main__":
    main()
