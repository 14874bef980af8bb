"""Loader speed and memory: ML-100k and a synthetic MovieLens-25M-shaped CSV (prints figures).

    python bench/bench_load.py              # 25M rows, generated once into /tmp (~650 MB)
    python bench/bench_load.py --rows 2500000

Each load runs in a fresh subprocess so peak RSS (resource.getrusage) is the load's own.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

N_USERS_25M, N_ITEMS_25M = 162_541, 59_047
ML100K = Path(__file__).resolve().parents[2] / "shared" / "data" / "ml-100k" / "u.data"

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from cfdesk.core.data.loader import load_ratings
t1 = time.perf_counter()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    ratings = load_ratings(sys.argv[1], items=None if sys.argv[3] == "titles" else False)
    times.append(time.perf_counter() - start)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"import_s": t1 - t0, "load_s": times, "peak_rss_mb": rss / 1024,
                  "n_ratings": ratings.n_ratings, "n_users": ratings.n_users,
                  "n_items": ratings.n_items, "duplicates": ratings.notes["duplicates_dropped"]}))
"""


def _pairs(rng: np.random.Generator, n_rows: int) -> np.ndarray:
    """n_rows distinct (user, item) keys, long-tailed on both sides, sorted like ML-25M's file."""
    user_w = rng.pareto(1.2, N_USERS_25M) + 1
    item_w = 1.0 / (np.arange(N_ITEMS_25M) + 20.0)
    user_p, item_p = user_w / user_w.sum(), item_w / item_w.sum()
    keys = np.zeros(0, dtype=np.int64)
    while len(keys) < n_rows:
        n = int((n_rows - len(keys)) * 1.4) + 1000
        users = rng.choice(N_USERS_25M, n, p=user_p).astype(np.int64)
        fresh = users * N_ITEMS_25M + rng.choice(N_ITEMS_25M, n, p=item_p)
        keys = np.unique(np.concatenate([keys, fresh]))
    return np.sort(rng.choice(keys, n_rows, replace=False))


def generate(path: Path, n_rows: int, seed: int = 0, chunk: int = 5_000_000) -> None:
    """userId,movieId,rating,timestamp with MovieLens-25M's shape, no repeated pairs."""
    rng = np.random.default_rng(seed)
    keys = _pairs(rng, n_rows)
    item_ids = rng.permutation(N_ITEMS_25M) * 3 + 1  # sparse ids, like MovieLens'
    stars = np.arange(1, 11) / 2
    star_p = np.array([1, 2, 2, 6, 5, 15, 12, 25, 10, 14], dtype=float)
    tmp = path.with_suffix(".part")
    with pa.OSFile(str(tmp), "wb") as sink:
        writer = None
        for start in range(0, n_rows, chunk):
            part = keys[start : start + chunk]
            table = pa.table({
                "userId": part // N_ITEMS_25M + 1,
                "movieId": item_ids[part % N_ITEMS_25M],
                "rating": rng.choice(stars, len(part), p=star_p / star_p.sum()),
                "timestamp": rng.integers(789_652_009, 1_574_327_703, len(part)),
            })  # fmt: skip
            if writer is None:
                writer = pacsv.CSVWriter(sink, table.schema)
            writer.write_table(table)
        writer.close()
    tmp.replace(path)


def measure(path: Path, repeats: int, titles: bool = False) -> dict:
    """Load `path` `repeats` times in a fresh interpreter; figures from that process."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path), str(repeats), "titles" if titles else "-"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=25_000_000)
    parser.add_argument("--path", type=Path, default=None)
    args = parser.parse_args()
    path = args.path or Path(f"/tmp/cfdesk_bench_{args.rows}_distinct.csv")
    if ML100K.exists():
        small = measure(ML100K, repeats=7, titles=True)
        print(
            f"ML-100k u.data + u.item: first {small['load_s'][0]:.3f} s, median "
            f"{statistics.median(small['load_s']):.3f} s over 7 loads "
            f"(import {small['import_s']:.2f} s), peak RSS {small['peak_rss_mb']:.0f} MB"
        )
    if not path.exists():
        start = time.perf_counter()
        generate(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
    big = measure(path, repeats=1)
    print(
        f"{args.rows:,}-row CSV ({path.stat().st_size / 1e6:.0f} MB): {big['load_s'][0]:.1f} s, "
        f"peak RSS {big['peak_rss_mb']:.0f} MB; {big['n_users']:,} users × {big['n_items']:,} "
        f"items × {big['n_ratings']:,} ratings, {big['duplicates']:,} repeated pairs dropped"
    )


if __name__ == "__main__":
    main()
