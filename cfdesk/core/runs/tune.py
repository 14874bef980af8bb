"""Tune: an Optuna search (seeded TPE, a median pruner) over training settings, judged on a
validation split of the training data only; a test file is scored once, after the search.

`Tuner.events()` is a generator like `Trainer.reports()`: it yields what happens (a study
starts, each trial starts and ends, the finishing stages) and returns a TuneResult. Every trial
also goes to an optional TrialRecorder, so a run store can keep each trial as a run grouped
under its study. Stop (or the time budget) ends the search and keeps the best so far.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Generator, Sequence
from pathlib import Path

import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import CfdeskError, TrainingError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.model import rating_levels
from cfdesk.core.runs import blend as blending
from cfdesk.core.runs.drive import drive
from cfdesk.core.runs.events import (
    TrialOutcome,
    TrialRecorder,
    TrialStarted,
    TuneEvent,
    TuneResult,
    TuneSettings,
    TuneStage,
    TuneStarted,
)
from cfdesk.core.runs.library import Entry, TrialLibrary
from cfdesk.core.runs.pruning import KindMedianPruner
from cfdesk.core.runs.refit import refit_members
from cfdesk.core.runs.search_space import config_of, defaults_as_params, suggest
from cfdesk.core.runs.trial import run_trial
from cfdesk.core.training.evaluation import EvalRows

REFIT_MARGIN = 1.25  # a refit trains on 1/(1 - valid share) more rows, and a little slack


def score_test(fitted: FittedModel, test: Ratings, train: Ratings) -> tuple[float, int]:
    """(RMSE, rows scored) of the final model on the test file: called once, after the search."""
    rows = EvalRows.build(test, train, torch.device("cpu"), "test")
    rmse, _ = rows.score(fitted.module)
    return rmse, rows.n


class Tuner:
    """Search settings for `ratings` (the training file); `stop()` from any thread ends the
    search at the next batch and keeps the best so far."""

    def __init__(
        self,
        ratings: Ratings,
        settings: TuneSettings,
        base: TrainConfig | None = None,
        test: Ratings | None = None,
        recorder: TrialRecorder | None = None,
        pruner: object | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        settings.check()
        self.base = (base or TrainConfig()).with_changes(seed=settings.seed)
        if not self.base.valid_frac > 0:
            raise CfdeskError(
                "Tune compares settings on validation rows: set the validation share above 0"
            )
        self.ratings, self.settings, self.test = ratings, settings, test
        self.recorder, self.pruner, self.clock = recorder, pruner, clock
        name = Path(ratings.source).name if ratings.source else "ratings"
        self.study_name = f"tune {name} {time.strftime('%Y-%m-%d %H:%M:%S')}"
        self._stop = threading.Event()
        self._library: TrialLibrary | None = None
        self._kinds = settings.kinds  # the dist model leaves when the scale is continuous
        self._t0 = 0.0

    def stop(self) -> None:
        """End the search at the next batch; the best trials so far make the result."""
        self._stop.set()

    def _elapsed(self) -> float:
        return self.clock() - self._t0

    def _reserve(self) -> float:
        """Seconds kept for the end: refitting the chosen trials (each over its bag of seeds)
        on every training row."""
        choice = self._library.choice() if self._library is not None else None
        if not self.settings.refit or choice is None:
            return 0.0
        share = 1 / (1 - self.base.valid_frac)
        seconds = sum(e.seconds for e in choice.entries)
        return REFIT_MARGIN * share * self.settings.bag * seconds

    def _out_of_time(self) -> bool:
        minutes = self.settings.minutes
        return minutes is not None and self._elapsed() + self._reserve() >= minutes * 60

    def _halt(self) -> bool:
        return self._stop.is_set() or self._out_of_time()

    def events(self) -> Generator[TuneEvent, None, TuneResult]:
        """Run the search, then refit, blend and score; yields events, returns the result."""
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self._t0 = self.clock()
        train, valid, _ = prepare_split(self.ratings, self.base)
        if valid is None:
            raise CfdeskError(f"{self.ratings.source or 'the data'} is too small to hold out rows")
        self._library = TrialLibrary(train, valid, self.settings.ensemble, self.settings.seed)
        study = optuna.create_study(
            study_name=self.study_name,
            direction="minimize",
            sampler=optuna.samplers.TPESampler(seed=self.settings.seed),
            pruner=self.pruner or KindMedianPruner(5, n_warmup_steps=50),
        )
        for params in defaults_as_params(self.settings.kinds):
            study.enqueue_trial(params)
        started = TuneStarted(self.study_name, train.n_ratings, valid.n_ratings, self.settings)
        if self.recorder is not None:
            self.recorder.study_started(started)
        yield started
        self._kinds = self.settings.kinds
        if "dist" in self._kinds:
            try:
                rating_levels(TrainConfig(model="dist"), train.scale, train.source)
            except TrainingError as exc:
                self._kinds = tuple(k for k in self._kinds if k != "dist")
                if not self._kinds:
                    raise
                yield TuneStage(f"Leaving the dist model out: {exc}")
        limit = self.settings.trials
        while not self._halt() and (limit is None or len(study.trials) < limit):
            outcome = yield from self._trial(study, train, valid)
            if self.recorder is not None:
                self.recorder.trial_finished(outcome)
            yield outcome
        result = yield from self._finish(study, train)
        if self.recorder is not None:
            self.recorder.study_finished(result)
        return result

    def _trial(self, study, train: Ratings, valid: Ratings) -> Generator:
        from optuna.trial import TrialState

        trial = study.ask()
        params = suggest(trial, self._kinds)
        config = config_of(params, self.base)
        yield TrialStarted(trial.number, params)
        started = self.clock()
        try:
            run = yield from run_trial(trial, config, train, valid, self._halt)
        except TrainingError as exc:
            study.tell(trial, state=TrialState.FAIL)
            return self._outcome(study, trial.number, params, config, started, error=str(exc))
        value = run.fitted.metrics["valid_rmse"]
        if run.state == "complete" and math.isfinite(value):
            study.tell(trial, value)
            entry = Entry(trial.number, params, config, value, self.clock() - started, run.fitted)
            self._library.add(entry)
        else:
            study.tell(trial, state=TrialState.PRUNED)
        return self._outcome(study, trial.number, params, config, started, run, value)

    def _outcome(self, study, number, params, config, started, run=None, value=math.nan,
                 error="") -> TrialOutcome:  # fmt: skip
        best_entry = self._library.best()
        best = best_entry.valid_rmse if best_entry else math.nan
        return TrialOutcome(
            self.study_name, number, params, config, run.state if run else "failed", value,
            best, self.clock() - started, run.reports if run else (),
            run.fitted if run else None, error, tuple(study.get_trials(deepcopy=True)),
        )  # fmt: skip

    def _finish(self, study, train: Ratings) -> Generator:
        """Blend the chosen trials (weights fitted on validation), refit them on every training
        row over their bags of seeds unless stopped, then score the test file once."""
        choice = self._library.choice()
        if choice is None:
            return self._result(study, None, math.nan, math.nan)
        if len(choice.entries) > 1:
            yield TuneStage(f"Blending {len(choice.entries)} trials chosen on the validation rows")
        members = [e.fitted for e in choice.entries]
        weights, reference = choice.weights, train
        if self.settings.refit and not self._stop.is_set():
            refits = yield from refit_members(
                self.ratings, choice, self.settings.bag, self._stop.is_set
            )
            if refits is not None:
                (members, weights), reference = refits, self.ratings
        final = members[0]
        if len(members) > 1:
            final = blending.blend(members, weights, choice.intercept)
        test_rmse, n_test = math.nan, 0
        if self.test is not None:
            yield TuneStage("Scoring the test file (once, after the search)")
            test_rmse, n_test = score_test(final, self.test, reference)
        best = self._library.best()
        final.metrics = {
            **final.metrics,
            "valid_rmse": choice.valid_rmse,  # measured before any refit saw the validation rows
            "test_rmse": test_rmse,
            "n_test": n_test,
            "tune": {"study": self.study_name, "trials": len(study.trials),
                     "best_params": best.params, "refit": reference is self.ratings,
                     "chosen_trials": [e.number for e in choice.entries],
                     "bag": self.settings.bag if reference is self.ratings else 1},
        }  # fmt: skip
        return self._result(study, final, choice.valid_rmse, test_rmse)

    def _result(self, study, fitted: FittedModel | None, valid_rmse: float,
                test_rmse: float) -> TuneResult:  # fmt: skip
        from optuna.trial import TrialState

        states = [t.state for t in study.trials]
        best = self._library.best() if self._library is not None else None
        return TuneResult(
            study=self.study_name,
            n_trials=len(states),
            n_complete=states.count(TrialState.COMPLETE),
            n_pruned=states.count(TrialState.PRUNED),
            best_params=best.params if best else {},
            best_config=best.config if best else None,
            best_valid_rmse=best.valid_rmse if best else math.nan,
            valid_rmse=valid_rmse,
            test_rmse=test_rmse,
            seconds=self._elapsed(),
            fitted=fitted,
            stopped=self._stop.is_set(),
        )


def param_importances(trials: Sequence) -> dict[str, float]:
    """Optuna's importance (PED-ANOVA) of each setting every complete trial searched (the nn's
    layer sizes exist only in nn trials, so they are left out); {} until 3 trials completed.
    Tens of milliseconds and more: call it off the UI thread."""
    import optuna
    from optuna.trial import TrialState

    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    if len(complete) < 3:
        return {}
    common = set.intersection(*(set(t.distributions) for t in complete))
    study = optuna.create_study(direction="minimize")
    study.add_trials(complete)
    return dict(optuna.importance.get_param_importances(study, params=sorted(common)))


def run_to_end(tuner: Tuner, on_event: Callable[[TuneEvent], None] | None = None) -> TuneResult:
    """Drive `tuner.events()` to its result: the one-call path for the CLI and scripts."""
    return drive(tuner.events(), on_event)
