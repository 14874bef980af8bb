"""What Tune reports and returns: its settings, the events of a search (a study starts, each
trial starts and ends, the finishing stages), the result, and the recorder protocol a run store
implements to keep every trial as a run grouped under its study."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Protocol

from cfdesk.core.config import MODEL_KINDS, TrainConfig
from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.runs.search_space import BAG, ENSEMBLE, KINDS
from cfdesk.core.runs.trial import TrialEpoch


@dataclass(frozen=True)
class TuneSettings:
    """The budget (minutes and/or trials; the first one reached ends the search) and what to
    build from the best trials."""

    minutes: float | None = None
    trials: int | None = None
    ensemble: int = ENSEMBLE  # blend up to K trials chosen greedily from all (1: the best alone)
    seed: int = 42
    refit: bool = True  # train the chosen settings again on every training row at the end
    kinds: tuple[str, ...] = KINDS
    bag: int = BAG  # seeds per chosen setting in the refit, each seed's model a member

    def check(self) -> None:
        """Refuse a budget or choice that cannot run, naming the setting."""
        if self.minutes is None and self.trials is None:
            raise CfdeskError("give Tune a budget: a number of minutes, of trials, or both")
        if self.minutes is not None and not self.minutes > 0:
            raise CfdeskError(f"the minutes setting {self.minutes} must be above 0")
        if self.trials is not None and self.trials < 1:
            raise CfdeskError(f"the trials setting {self.trials} must be at least 1")
        if self.ensemble < 1:
            raise CfdeskError(f"the ensemble setting {self.ensemble} must be at least 1")
        if self.bag < 1:
            raise CfdeskError(f"the seeds-per-member setting {self.bag} must be at least 1")
        if not self.kinds:
            raise CfdeskError("choose at least one model kind for Tune to search")
        unknown = sorted(set(self.kinds) - set(MODEL_KINDS))
        if unknown:
            raise CfdeskError(
                f"model kind {unknown[0]!r} is unknown; Tune searches {', '.join(MODEL_KINDS)}"
            )


@dataclass(frozen=True)
class TuneStarted:
    """First event: the study's name and what it searches on."""

    study: str
    n_train: int
    n_valid: int
    settings: TuneSettings


@dataclass(frozen=True)
class TrialStarted:
    number: int
    params: dict


@dataclass(frozen=True)
class TrialOutcome:
    """One finished trial: what a run store records as a run under its study."""

    study: str
    number: int
    params: dict
    config: TrainConfig
    state: str  # "complete", "pruned", "stopped" (budget or Stop) or "failed"
    valid_rmse: float  # NaN when it failed
    best_valid_rmse: float  # the study's best so far, this trial included
    seconds: float
    reports: tuple  # the trainer's FitStarted and EpochReports, in order
    fitted: FittedModel | None = field(default=None, compare=False)
    error: str = ""
    trials: tuple = field(default=(), compare=False)  # Optuna FrozenTrials so far (importances)


@dataclass(frozen=True)
class TuneStage:
    """After the search: refitting, blending, scoring the test file."""

    text: str


TuneEvent = TuneStarted | TrialStarted | TrialEpoch | TrialOutcome | TuneStage


@dataclass
class TuneResult:
    """The best settings and the model built from them (None when no trial finished)."""

    study: str
    n_trials: int
    n_complete: int
    n_pruned: int
    best_params: dict
    best_config: TrainConfig | None
    best_valid_rmse: float
    valid_rmse: float  # of the final model on validation (the blend's, for an ensemble)
    test_rmse: float
    seconds: float
    fitted: FittedModel | None
    stopped: bool

    def summary(self) -> dict:
        """The CLI's JSON line (NaN becomes None)."""
        clean = lambda v: None if v is None or math.isnan(v) else round(v, 6)  # noqa: E731
        return {
            "trials": self.n_trials,
            "best_params": self.best_params,
            "best_valid_rmse": clean(self.best_valid_rmse),
            "test_rmse": clean(self.test_rmse),
            "seconds": round(self.seconds, 1),
            "complete": self.n_complete,
            "pruned": self.n_pruned,
            "valid_rmse": clean(self.valid_rmse),
            "ensemble": len(getattr(self.fitted.module, "members", [])) if self.fitted else 0,
            "stopped": self.stopped,
        }


class TrialRecorder(Protocol):
    """Where each trial goes besides the event stream (e.g. a run store, one run per trial)."""

    def study_started(self, event: TuneStarted) -> None: ...

    def trial_finished(self, outcome: TrialOutcome) -> None: ...

    def study_finished(self, result: TuneResult) -> None: ...
