"""Parity: the same fits on the CPU and on the device (on a CPU-only machine: the CPU's own
steps against steps built as on CUDA), on u1.base / u1.test when .gpu-data holds them, else on
generated data; the defaults, row-sparse and nn, seeds 42-44; each device fit of seed 42 twice.
Figures: test RMSE per fit, the mean difference device - CPU per setting, and the run-to-run
drift. PASS when every mean difference is within 0.005 and every drift within 0.002."""

from __future__ import annotations

import statistics

from bench.gpu.common import SEEDS, Stage, log, run, steps_as_on_cuda, u1_or_generated
from cfdesk.core.config import TrainConfig
from cfdesk.core.training.trainer import fit

SETTINGS = {
    "defaults": TrainConfig(valid_frac=0.0),
    "row-sparse": TrainConfig(valid_frac=0.0, row_sparse=True),
    "nn": TrainConfig(valid_frac=0.0, model="nn"),
}
MAX_DIFFERENCE, MAX_DRIFT = 0.005, 0.002


def _test_rmse(train, test, config: TrainConfig, as_on_cuda: bool) -> float:
    with steps_as_on_cuda(as_on_cuda):
        return fit(train, config, test).metrics["test_rmse"]


def body(stage: Stage) -> tuple[bool, str]:
    train, test, source = u1_or_generated()
    stage.save(data=source)
    # on CUDA: cpu vs cuda; on the CPU: the CPU's steps vs CUDA's steps run on the CPU
    other, as_on_cuda = ("cuda", False) if stage.device == "cuda" else ("cpu", True)
    rows, summary = [], {}
    for name, base in SETTINGS.items():
        pairs, drift = [], 0.0
        for seed in SEEDS:
            config = base.with_changes(seed=seed)
            cpu = _test_rmse(train, test, config.with_changes(device="cpu"), False)
            dev = _test_rmse(train, test, config.with_changes(device=other), as_on_cuda)
            if seed == SEEDS[0]:
                again = _test_rmse(train, test, config.with_changes(device=other), as_on_cuda)
                drift = abs(again - dev)
            pairs.append(dev - cpu)
            rows.append({"setting": name, "seed": seed, "cpu": cpu, "device": dev})
            log(f"  {name} seed {seed}: cpu {cpu:.4f}  device {dev:.4f}")
            stage.save(fits=rows)
        summary[name] = {"mean_difference": statistics.mean(pairs), "drift": drift,
                         "mean_cpu_rmse": statistics.mean(r["cpu"] for r in rows[-3:])}  # fmt: skip
        stage.save(summary=summary)
    worst = max(abs(s["mean_difference"]) for s in summary.values())
    drift = max(s["drift"] for s in summary.values())
    passed = worst <= MAX_DIFFERENCE and drift <= MAX_DRIFT
    return passed, f"largest mean RMSE difference {worst:.5f}, largest drift {drift:.5f}"


if __name__ == "__main__":
    raise SystemExit(run("parity", body, __doc__))
