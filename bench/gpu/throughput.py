"""Throughput at MovieLens-25M's shape (25,000,095 ratings, 162,541 users x 59,047 items, 64
factors; on the CPU a small stand-in): for several batch sizes, one warm epoch, then timed
epochs; seconds per epoch, M ratings per second, peak memory. PASS when every run trains to a
finite RMSE that falls from the first epoch to the last (no speed target yet)."""

from __future__ import annotations

import math
import resource
import statistics

from bench.gpu.common import Stage, big_data, log, run
from cfdesk.core.config import TrainConfig
from cfdesk.core.training.reports import EpochReport
from cfdesk.core.training.trainer import Trainer

EPOCHS = 3  # the first is warm-up (kernels load, the allocator fills its cache)


def _run(stage: Stage, data, batch: int) -> dict:
    config = TrainConfig(n_factors=64, epochs=EPOCHS, batch_size=batch, valid_frac=0.0,
                         device=stage.device, report_every=10**9, row_sparse=True)  # fmt: skip
    trainer = Trainer(data, None, config)
    epochs = [r for r in trainer.reports() if isinstance(r, EpochReport)]
    warm = epochs[1:]
    seconds = statistics.median(r.seconds for r in warm)
    memory = epochs[-1].memory
    row = {
        "batch": batch, "device": str(trainer.device), "step": "row-sparse" if trainer._row_sparse
        else "dense", "epoch_seconds": [round(r.seconds, 4) for r in epochs],
        "warm_epoch_seconds": seconds, "m_ratings_per_second": data.n_ratings / seconds / 1e6,
        "train_rmse": [r.train_rmse for r in epochs],
        "peak_torch_allocated_gb": (memory.torch_peak or 0) / 1e9,
        "gpu_used_gb": (memory.used or 0) / 1e9,
        "peak_rss_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
    }  # fmt: skip
    log(f"  batch {batch}: {seconds:.3f} s per warm epoch, {row['m_ratings_per_second']:.2f} M/s")
    return row


def body(stage: Stage) -> tuple[bool, str]:
    n = stage.sizes["big_n"]
    data = big_data(stage, n)
    stage.save(ratings=n, users=data.n_users, items=data.n_items, factors=64)
    rows = []
    for batch in stage.sizes["big_batches"]:
        rows.append(_run(stage, data, batch))
        stage.save(runs=rows)
    learned = all(
        all(math.isfinite(x) for x in r["train_rmse"]) and r["train_rmse"][-1] < r["train_rmse"][0]
        for r in rows
    )
    best = max(rows, key=lambda r: r["m_ratings_per_second"])
    why = (f"fastest: batch {best['batch']}, {best['warm_epoch_seconds']:.3f} s per epoch, "
           f"{best['m_ratings_per_second']:.2f} M ratings/s")  # fmt: skip
    return learned, why if learned else f"an RMSE did not fall or was not finite; {why}"


if __name__ == "__main__":
    raise SystemExit(run("throughput", body, __doc__))
