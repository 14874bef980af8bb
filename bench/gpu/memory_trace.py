"""Memory over a run: a baseline before training, then a sample at every batch report of a
two-epoch fit at MovieLens-25M's table shape, written to OUT/memory_trace.json (the GUI's memory
chart replays it in tests/qt/test_memory_trace.py). On CUDA, NVML's used memory minus the
baseline against torch's reserved memory; on the CPU, RSS. PASS when the samples are complete
and, on CUDA, what NVML sees covers what torch reserved, with at most 2 GiB beside it."""

from __future__ import annotations

import dataclasses
import json

import torch

from bench.gpu.common import Stage, big_data, run
from cfdesk.core.config import TrainConfig
from cfdesk.core.training.memory import memory_sample
from cfdesk.core.training.reports import BatchReport, EpochReport
from cfdesk.core.training.trainer import Trainer

GIB = 1024**3
MAX_BESIDE = 2 * GIB  # CUDA context, cuBLAS workspace, kernels: what torch does not count


def _trace(stage: Stage) -> tuple[dict, list]:
    device = torch.device(stage.device, 0) if stage.device == "cuda" else torch.device("cpu")
    if device.type == "cuda":
        torch.zeros(1, device=device)  # the CUDA context exists before the baseline
    baseline = memory_sample(device)
    config = TrainConfig(n_factors=64, epochs=2, valid_frac=0.0, device=stage.device,
                         batch_size=stage.sizes["step_batch"], report_every=2)  # fmt: skip
    trainer = Trainer(big_data(stage, stage.sizes["step_n"], seed=2), None, config)
    samples = [baseline]
    for report in trainer.reports():
        if isinstance(report, (BatchReport, EpochReport)) and report.memory is not None:
            samples.append(report.memory)
    trace = {"device": str(trainer.device), "kind": baseline.kind,
             "device_name": baseline.device_name, "baseline_used": baseline.used,
             "baseline_rss": baseline.rss,
             "samples": [dataclasses.asdict(s) for s in samples]}  # fmt: skip
    return trace, samples


def body(stage: Stage) -> tuple[bool, str]:
    trace, samples = _trace(stage)
    path = stage.path.with_name("memory_trace.json")
    path.write_text(json.dumps(trace, indent=1) + "\n")
    stage.save(trace=str(path), n_samples=len(samples), kind=trace["kind"])
    if trace["kind"] != "cuda":
        grew = max(s.rss for s in samples) - trace["baseline_rss"]
        stage.save(rss_growth_gb=grew / 1e9)
        return len(samples) > 4 and all(s.rss for s in samples), f"RSS grew {grew / GIB:.2f} GiB"
    beside = [s.used - trace["baseline_used"] - s.torch_reserved for s in samples[1:]]
    stage.save(nvml_note=samples[-1].note, max_reserved_gb=max(s.torch_reserved for s in samples) / 1e9,
               beside_torch_gb=[round(b / 1e9, 3) for b in beside])  # fmt: skip
    covered = all(-64 * 2**20 <= b <= MAX_BESIDE for b in beside)  # 64 MiB: NVML's rounding
    why = f"NVML used - baseline - torch reserved: {min(beside) / GIB:.2f} to {max(beside) / GIB:.2f} GiB"
    return covered and len(samples) > 4, why + (
        f" ({samples[-1].note})" if samples[-1].note else ""
    )


if __name__ == "__main__":
    raise SystemExit(run("memory", body, __doc__))
