"""The small immutable reports training yields; the GUI, the CLI and the tests all read these."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from cfdesk.core.training.memory import MemorySample


@dataclass(frozen=True)
class FitStarted:
    """First report: what is about to be trained, where, and what it must beat."""

    device: str  # "cpu", "cuda:0", "mps"
    device_name: str
    model: str
    n_train: int
    n_valid: int
    n_valid_skipped: int  # validation rows whose user or item training never saw
    baselines: dict  # name -> validation RMSE (training RMSE when there is no validation)
    batch_size: int  # effective batch (micro-batch × accumulation)
    accum_steps: int
    lr: float  # peak rate after batch-size scaling
    lr_rule: str  # one sentence on how the rate followed the batch size
    epochs: int
    n_batches: int  # optimizer steps per epoch
    device_note: str = ""  # why Auto chose this device; empty for an explicit setting


@dataclass(frozen=True)
class BatchReport:
    """Every few batches: progress, smoothed loss and memory."""

    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    n_batches: int
    fraction: float  # of the whole run, 0..1
    loss_rmse: float  # exponentially smoothed batch loss, as RMSE
    lr: float
    memory: MemorySample
    message: str = ""  # e.g. an automatic batch-size change after running out of memory


@dataclass(frozen=True)
class EpochReport:
    """End of one epoch."""

    epoch: int  # 1-based
    epochs: int
    train_rmse: float  # over the epoch's batches, as trained (dropout, running weights)
    valid_rmse: float  # NaN without validation rows
    valid_mae: float
    lr: float  # rate at the end of the epoch
    seconds: float
    samples_per_second: float
    is_best: bool  # best validation RMSE so far (or the latest epoch without validation)
    memory: MemorySample | None = field(default=None, compare=False)

    def to_dict(self) -> dict:
        """History row for FittedModel and model files (memory left out: it is machine-bound)."""
        row = asdict(self)
        row.pop("memory")
        return row


def best_epoch(history: list[EpochReport]) -> int:
    """The last epoch marked best, 0 when none finished."""
    best = [r.epoch for r in history if r.is_best]
    return best[-1] if best else 0


def run_facts(
    history: list[EpochReport], outcome: str, fit_seconds: float, device: object, batch: int,
    accum_steps: int, lr: float,
) -> dict:  # fmt: skip
    """The metrics every trainer records about how its run went (model files keep them)."""
    return {
        "fit_seconds": fit_seconds,
        "epochs_run": len(history),
        "best_epoch": best_epoch(history),
        "outcome": outcome,
        "device": str(device),
        "batch_size": batch,
        "accum_steps": accum_steps,
        "lr": lr,
    }


def kept_sentence(history: list[EpochReport], kept: int, keep_best: bool) -> str:
    """Which epoch's weights the model holds and why, for the log and the CLI."""
    if not history or kept == 0:
        return "No epoch finished: the model holds the weights it had when training stopped."
    last = history[-1]
    if math.isnan(last.valid_rmse):
        return (
            f"Kept the last epoch run ({last.epoch}): without validation ratings there is no "
            "best epoch to choose."
        )
    best = min(history, key=lambda r: r.valid_rmse)
    if keep_best:
        beside = f"; the last epoch run ({last.epoch}) scored {last.valid_rmse:.4f}"
        return (
            f"Kept epoch {kept}, the best validation RMSE ({best.valid_rmse:.4f})"
            f"{beside if kept != last.epoch else ''}."
        )
    beside = f"; epoch {best.epoch} scored best ({best.valid_rmse:.4f})"
    return (
        f"Kept the last epoch run ({last.epoch}, validation RMSE {last.valid_rmse:.4f}) as "
        f"set (keep the best epoch is off){beside if best.epoch != last.epoch else ''}."
    )
