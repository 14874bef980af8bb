"""Syncs and kernel launches per step: each step kind at MovieLens-25M's table shape, 5 warm
steps, then 20 steps under the sync audit, torch.cuda.set_sync_debug_mode("warn") (CUDA) and
torch.profiler (launches per step; aten ops per step on the CPU); then whole epochs of two sizes,
whose syncs must not grow with the number of batches. PASS when no steady step syncs."""

from __future__ import annotations

import statistics
import time
import warnings

import torch
from torch.profiler import ProfilerActivity, profile

from bench.gpu.common import Stage, big_data, log, run, steps_as_on_cuda
from cfdesk.core.config import TrainConfig
from cfdesk.core.training import batching
from cfdesk.core.training.device import synchronize
from cfdesk.core.training.steps import make_step
from cfdesk.core.training.sync_audit import SyncAudit
from cfdesk.core.training.trainer import Trainer

KINDS = {
    "hand-gradient dotbias (row-sparse)": {"model": "dotbias", "row_sparse": True},
    "row-sparse nn": {"model": "nn", "row_sparse": True},
    "dense dotbias with the implicit term": {"model": "dotbias", "row_sparse": False},
    "dense nn": {"model": "nn", "row_sparse": False, "implicit": False},
}
LAUNCHES = {"cudaLaunchKernel", "cuLaunchKernel", "cudaLaunchKernelExC", "cuLaunchKernelEx"}
WAITS = {"cudaStreamSynchronize", "cudaDeviceSynchronize", "cudaEventSynchronize", "cudaMemcpy"}
WARM, MEASURED = 5, 20


def _batches(data, device: torch.device, batch: int) -> list[tuple]:
    users, items, target = batching.device_tensors(data, device)
    return [
        (users[k * batch : (k + 1) * batch], items[k * batch : (k + 1) * batch],
         target[k * batch : (k + 1) * batch])
        for k in range(WARM + MEASURED)
    ]  # fmt: skip


def _cuda_syncs(step, batches, micro: int) -> int:
    """Syncs torch itself reports in `batches` (set_sync_debug_mode warns once per sync)."""
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for batch in batches:
                step.train_step(*batch, micro)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    return sum("synchroniz" in str(w.message) for w in caught)


def _profile(step, batches, micro: int, device: torch.device) -> dict:
    """Kernel launches and host waits per step (CUDA), or top-level aten ops per step (CPU)."""
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.type == "cuda" else [])
    with profile(activities=activities) as prof:
        for batch in batches:
            step.train_step(*batch, micro)
        synchronize(device)
    events = prof.events()
    n = len(batches)
    if device.type == "cuda":
        return {"kernel_launches_per_step": sum(e.name in LAUNCHES for e in events) / n,
                "host_waits_per_step": sum(e.name in WAITS for e in events) / n}  # fmt: skip
    top = [e for e in events if e.name.startswith("aten::") and not _under_aten(e)]
    return {"aten_ops_per_step": len(top) / n}


def _under_aten(event) -> bool:
    parent = event.cpu_parent
    return parent is not None and parent.name.startswith("aten::")


def _kind(stage: Stage, name: str, changes: dict, data) -> dict:
    batch = stage.sizes["step_batch"]
    config = TrainConfig(n_factors=64, batch_size=batch, device=stage.device, epochs=1,
                         valid_frac=0.0, **changes)  # fmt: skip
    trainer = Trainer(data, None, config)
    dev = trainer.device
    step = make_step(trainer.module, trainer.config, trainer.lr, trainer._row_sparse,
                     trainer._implicit, dev)  # fmt: skip
    batches = _batches(data, dev, batch)
    for b in batches[:WARM]:
        step.train_step(*b, batch)
    synchronize(dev)
    measured = batches[WARM:]
    t0 = time.perf_counter()
    for b in measured:
        step.train_step(*b, batch)
    synchronize(dev)
    row = {"step": type(step).__name__, "ms_per_step": (time.perf_counter() - t0) / MEASURED * 1e3}
    with SyncAudit() as audit:
        for b in measured:
            step.train_step(*b, batch)
    row["sync_prone_calls_per_step"] = audit.total / MEASURED
    row["sync_prone_calls"] = dict(audit.counts)
    if dev.type == "cuda":
        row["cuda_syncs_per_step"] = _cuda_syncs(step, measured, batch) / MEASURED
    try:
        row.update(_profile(step, measured, batch, dev))
    except Exception as exc:  # a machine without CUPTI still reports the syncs
        row["profiler_error"] = f"{type(exc).__name__}: {exc}"
    log(f"  {name}: {row}")
    return row


def _epoch_syncs(stage: Stage, changes: dict, n: int) -> dict:
    """Syncs over one whole epoch without batch reports (audit; CUDA's own count too)."""
    config = TrainConfig(n_factors=64, batch_size=stage.sizes["step_batch"], device=stage.device,
                         epochs=1, valid_frac=0.0, report_every=10**9, **changes)  # fmt: skip
    trainer = Trainer(big_data(stage, n, seed=1), None, config)
    reports = trainer.reports()
    next(reports)  # FitStarted: the data is on the device
    cuda = trainer.device.type == "cuda"
    if cuda:
        torch.cuda.set_sync_debug_mode("warn")
    try:
        with SyncAudit() as audit, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in reports:
                pass
    finally:
        if cuda:
            torch.cuda.set_sync_debug_mode("default")
    n_batches = -(-n // trainer.batch_size)
    cuda_syncs = sum("synchroniz" in str(w.message) for w in caught) if cuda else None
    return {"ratings": n, "batches": n_batches, "sync_prone_calls": audit.total,
            "cuda_syncs": cuda_syncs, "epoch_seconds": trainer.history[-1].seconds}  # fmt: skip


def body(stage: Stage) -> tuple[bool, str]:
    data = big_data(stage, stage.sizes["step_n"])
    rows, epochs = {}, {}
    with steps_as_on_cuda(stage.device == "cpu"):
        for name, changes in KINDS.items():
            rows[name] = _kind(stage, name, changes, data)
            stage.save(steps=rows)
        for name in list(KINDS)[::2]:  # the big-data default and the small-data default
            n = stage.sizes["step_n"]
            epochs[name] = [_epoch_syncs(stage, KINDS[name], m) for m in (n // 2, n)]
            stage.save(epochs=epochs)
    bad = [
        k for k, r in rows.items() if r["sync_prone_calls_per_step"] or r.get("cuda_syncs_per_step")
    ]
    grows = [k for k, (a, b) in epochs.items() if b["sync_prone_calls"] != a["sync_prone_calls"]
             or b["cuda_syncs"] != a["cuda_syncs"]]  # fmt: skip
    medians = statistics.median(r["ms_per_step"] for r in rows.values())
    why = (
        f"steps that sync: {bad or 'none'}; epochs whose syncs grow with batches: {grows or 'none'}"
    )
    return not bad and not grows, f"{why}; median {medians:.2f} ms per step"


if __name__ == "__main__":
    raise SystemExit(run("syncs", body, __doc__))
