"""Forced out of memory, and which error comes out. On CUDA through
torch.cuda.set_per_process_memory_fraction: (1) no room beyond the model when the ratings are
loaded; (2) a dense nn step of 1,048,576 ratings with 1 GiB of room; (3) the same with auto_fit,
which must recover with smaller micro-batches. On the CPU (no such limit) the same three are
simulated by raising torch.OutOfMemoryError where the allocation would fail. PASS when (1) is
the clear error offering the CPU (on the CPU: a sentence), (2) offers half the micro-batch, and
(3) finishes with accumulation above 1."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from unittest import mock

import torch

from bench.gpu.common import Stage, big_data, run
from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import CfdeskError
from cfdesk.core.training import batching
from cfdesk.core.training.reports import BatchReport
from cfdesk.core.training.trainer import Trainer

GIB = 1024**3


@contextlib.contextmanager
def _room(device: str, extra: int) -> Iterator[None]:
    """On CUDA allow only what torch holds now plus `extra` bytes; always given back after."""
    if device != "cuda":
        yield
        return
    torch.cuda.empty_cache()
    total = torch.cuda.get_device_properties(0).total_memory
    torch.cuda.set_per_process_memory_fraction(
        min(1.0, (torch.cuda.memory_reserved() + extra) / total)
    )
    try:
        yield
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0)
        torch.cuda.empty_cache()


def _outcome(run_fit) -> dict:
    """Which error a fit raised (or none), with its message and suggested settings."""
    try:
        notes = run_fit()
    except CfdeskError as exc:
        return {"error": type(exc).__name__, "message": str(exc),
                "device": getattr(exc, "device", None), "batch_size": getattr(exc, "batch_size", None),
                "accum_steps": getattr(exc, "accum_steps", None)}  # fmt: skip
    except torch.OutOfMemoryError as exc:  # the raw error a user must never see
        return {"error": "torch.OutOfMemoryError (raw)", "message": str(exc)[:300]}
    return {"error": None, **notes}


def _loading(stage: Stage) -> dict:
    config = TrainConfig(n_factors=64, epochs=1, valid_frac=0.0, device=stage.device)
    trainer = Trainer(big_data(stage, stage.sizes["step_n"]), None, config)
    fail = mock.patch.object(batching, "device_tensors", side_effect=torch.OutOfMemoryError(
        "CUDA out of memory (simulated)"))  # fmt: skip

    def fit() -> dict:
        with _room(stage.device, 0), fail if stage.device == "cpu" else contextlib.nullcontext():
            list(trainer.reports())
        return {}

    return _outcome(fit)


def _big_step(stage: Stage, auto_fit: bool) -> dict:
    batch = stage.sizes["oom_batch"]
    config = TrainConfig(model="nn", nn_layers=(1024,), n_factors=32, epochs=1, valid_frac=0.0,
                         batch_size=batch, row_sparse=False, implicit=False,
                         auto_fit=auto_fit, device=stage.device, report_every=1)  # fmt: skip
    trainer = Trainer(big_data(stage, 2 * batch, seed=3), None, config)
    real = Trainer._try_step

    def step(self, *args):
        if batching.micro_batch(self.batch_size, self.accum_steps) > batch // 16:  # simulated
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(self, *args)

    fail = mock.patch.object(Trainer, "_try_step", step)

    def fit() -> dict:
        reports = trainer.reports()
        next(reports)  # FitStarted: the ratings are on the device
        with _room(stage.device, GIB), fail if stage.device == "cpu" else contextlib.nullcontext():
            notes = [r.message for r in reports if isinstance(r, BatchReport) and r.message]
        return {"accum_steps": trainer.accum_steps, "notes": notes}

    return _outcome(fit)


def body(stage: Stage) -> tuple[bool, str]:
    stage.save(simulated=stage.device == "cpu")
    loading = _loading(stage)
    stage.save(loading=loading)
    step = _big_step(stage, auto_fit=False)
    stage.save(step=step)
    recovered = _big_step(stage, auto_fit=True)
    stage.save(step_with_auto_fit=recovered)
    if stage.device == "cuda":
        loading_ok = loading["error"] == "OutOfMemoryError" and loading["device"] == "cpu"
    else:
        loading_ok = loading["error"] == "TrainingError"
    loading_ok = loading_ok and "while loading the ratings" in loading.get("message", "")
    step_ok = step["error"] == "OutOfMemoryError" and step["accum_steps"] == 2
    recovered_ok = recovered["error"] is None and recovered["accum_steps"] > 1
    why = (f"loading: {loading['error']}; step: {step['error']} (accumulation "
           f"{step.get('accum_steps')}); auto_fit: accumulation {recovered.get('accum_steps')}")  # fmt: skip
    return loading_ok and step_ok and recovered_ok, why


if __name__ == "__main__":
    raise SystemExit(run("oom", body, __doc__))
