"""What every stage of the GPU check shares: arguments, sizes per device, the data, and writing
one JSON file per stage (also when the stage fails, and as it goes, so a timeout keeps figures)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch

from bench.bench_train import synthetic_big
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.ratings import Ratings, ratings_from_raw
from cfdesk.core.training import device as device_module

ROOT = Path(__file__).resolve().parents[2]
ML100K = ROOT / ".gpu-data" / "ml-100k"  # optional, ignored by git: a copy of MovieLens 100k
# MovieLens-25M's shape on CUDA; on the CPU a tenth of its tables and a small stand-in for its
# ratings, through the same code paths (steps built as on CUDA): it checks paths, not speed
SIZES = {
    "cuda": {
        "shape": (162_541, 59_047),
        "big_n": 25_000_095,
        "step_n": 1_000_000,
        "step_batch": 32768,
        "big_batches": (16384, 65536, 262144),
        "oom_batch": 2**20,  # a dense nn step far over 1 GiB
    },
    "cpu": {
        "shape": (16_254, 5_905),
        "big_n": 400_000,
        "step_n": 120_000,
        "step_batch": 4096,
        "big_batches": (4096, 16384, 65536),
        "oom_batch": 2**15,
    },
}
SEEDS = (42, 43, 44)


def arguments(description: str) -> argparse.Namespace:
    """--device cuda|cpu and --out FOLDER (default $OUT, else bench/out/gpu-check)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--device", choices=("cuda", "cpu"), default="cuda")
    default_out = os.environ.get("OUT") or str(ROOT / "bench" / "out" / "gpu-check")
    p.add_argument("--out", default=default_out)
    return p.parse_args()


class Stage:
    """One stage's figures, written to OUT/<name>.json after every `save` and at the end."""

    def __init__(self, name: str, args: argparse.Namespace) -> None:
        self.name, self.args = name, args
        self.device = args.device
        self.sizes = SIZES[args.device]
        self.path = Path(args.out) / f"{name}.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.figures: dict = {"stage": name, "device": args.device, "status": "running"}
        self.t0 = time.perf_counter()

    def save(self, **figures: object) -> None:
        """Merge figures in and rewrite the file (atomic rename: a reader never sees half)."""
        self.figures.update(figures)
        self.figures["seconds"] = round(time.perf_counter() - self.t0, 2)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.figures, indent=1, default=_plain) + "\n")
        tmp.replace(self.path)

    def finish(self, passed: bool, why: str = "") -> None:
        self.save(status="PASS" if passed else "FAIL", why=why)


def _plain(value: object) -> object:
    if isinstance(value, (np.generic, torch.Tensor)):
        return value.item()
    return str(value)


def run(name: str, body: Callable[[Stage], tuple[bool, str]], description: str) -> int:
    """Parse the arguments, run `body`, write PASS/FAIL (FAIL with the error when it raises)."""
    stage = Stage(name, arguments(description))
    if stage.device == "cpu":
        torch.set_num_threads(1)  # steady on a shared machine; the CPU run checks paths
    if stage.device == "cuda" and not torch.cuda.is_available():
        stage.finish(False, "no CUDA GPU here; use --device cpu")
        return 1
    try:
        passed, why = body(stage)
    except Exception as exc:  # a stage reports its own failure; the summary names it
        traceback.print_exc()
        stage.finish(False, f"{type(exc).__name__}: {exc}")
        return 1
    stage.finish(passed, why)
    print(json.dumps({"stage": name, "status": stage.figures["status"], "why": why}))
    return 0 if passed else 1


@contextlib.contextmanager
def steps_as_on_cuda(on_the_cpu: bool) -> Iterator[None]:
    """With `on_the_cpu`, CPU steps are built as on CUDA (slot tables, fused optimizers)."""
    before = device_module.SYNC_FREE_DEVICES
    if on_the_cpu:
        device_module.SYNC_FREE_DEVICES = frozenset({"cuda", "cpu"})
    try:
        yield
    finally:
        device_module.SYNC_FREE_DEVICES = before


def u1_or_generated() -> tuple[Ratings, Ratings, str]:
    """(train, test, what): MovieLens u1 when .gpu-data holds it, else planted ratings of the
    same size (943 users, 1,682 items, 80,000 + 20,000 ratings) from a rank-5 taste model."""
    if (ML100K / "u1.base").exists() and (ML100K / "u1.test").exists():
        train = load_ratings(ML100K / "u1.base", items=False)
        return train, load_ratings(ML100K / "u1.test", items=False), "u1.base / u1.test"
    rng = np.random.default_rng(7)
    users, items = rng.integers(0, 943, 100_000), (rng.zipf(1.4, 100_000) - 1) % 1682
    taste = rng.normal(size=(943, 5)) @ rng.normal(size=(5, 1682)) / 2.5
    stars = np.clip(np.round(3.5 + taste[users, items] + rng.normal(0, 0.8, 100_000)), 1, 5)
    ratings = ratings_from_raw(users + 1, items + 1, stars.astype(np.float32))
    cut = rng.random(ratings.n_ratings) < 0.8
    return ratings.subset(cut), ratings.subset(~cut), "generated (no .gpu-data/ml-100k)"


def big_data(stage: Stage, n: int, seed: int = 0) -> Ratings:
    """`n` synthetic ratings over this device's table shape (see SIZES)."""
    return synthetic_big(n, seed, stage.sizes["shape"])


def log(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)
