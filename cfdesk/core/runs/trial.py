"""One Tune trial: a Trainer on the search's split whose validation RMSE goes to Optuna's
pruner, stopped early when the pruner or the budget says so (the last epoch's weights stay)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.training.reports import EpochReport, FitStarted
from cfdesk.core.training.trainer import Trainer

QUARTERS = (25, 50, 75, 100)


def quarter_steps(epoch: int, epochs: int) -> list[int]:
    """The quarters of its schedule an epoch completes (as Optuna steps 25, 50, 75, 100).

    The one-cycle schedule makes mid-run RMSE depend on the run's length (a 20-epoch run is
    still at its peak rate at epoch 5), so trials are compared at the same share of their
    schedule rather than at the same epoch.
    """
    before, now = 100 * (epoch - 1) / epochs, 100 * epoch / epochs
    return [q for q in QUARTERS if before < q <= now]


@dataclass(frozen=True)
class TrialEpoch:
    """An epoch of the running trial, for progress displays."""

    number: int
    report: EpochReport


@dataclass(frozen=True)
class TrialRun:
    """What one trial left: how it ended, its model and the trainer's reports."""

    state: str  # "complete", "pruned" or "stopped"
    fitted: FittedModel
    reports: tuple


def run_trial(
    trial, config: TrainConfig, train: Ratings, valid: Ratings, halt: Callable[[], bool]
) -> Generator[TrialEpoch, None, TrialRun]:
    """Train one trial's settings, reporting each completed quarter to the Optuna `trial`.

    `halt()` is asked at every report (Stop, or the time budget); a stopped or pruned trial
    keeps its last completed epoch's weights. Training errors propagate to the caller.
    """
    trainer = Trainer(train, valid, config)
    reports: list[FitStarted | EpochReport] = []
    state = "complete"
    for report in trainer.reports():
        if isinstance(report, FitStarted):
            reports.append(report)
        if isinstance(report, EpochReport):
            reports.append(report)
            for step in quarter_steps(report.epoch, report.epochs):
                trial.report(report.valid_rmse, step)
            yield TrialEpoch(trial.number, report)
            if report.epoch < report.epochs and trial.should_prune():
                state = "pruned"
                trainer.stop()
        if state == "complete" and halt():
            state = "stopped"
            trainer.stop()
    finished = any(isinstance(r, EpochReport) and r.epoch == r.epochs for r in reports)
    return TrialRun("complete" if finished else state, trainer.result(), tuple(reports))
