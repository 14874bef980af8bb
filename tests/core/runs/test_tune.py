"""Tune: a tiny search returns the best settings, judges on validation only, prunes, stops."""

from __future__ import annotations

import math

import numpy as np
import optuna
import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.split import prepare_split
from cfdesk.core.ensemble import Ensemble
from cfdesk.core.errors import CfdeskError
from cfdesk.core.runs import blend, tune
from cfdesk.core.runs.events import TrialOutcome, TuneSettings, TuneStage
from cfdesk.core.runs.tune import Tuner, run_to_end
from cfdesk.core.training import evaluation
from tests.core.conftest import planted_ratings

BASE = TrainConfig(device="cpu", n_factors=8)
FAST = ("dotbias", "dot")  # the planted ratings are continuous: no dist model


@pytest.fixture
def data():
    ratings = planted_ratings(80, 60, noise=0.3, seed=1)
    train, test = ratings.subset(np.arange(ratings.n_ratings) % 5 != 0), None
    test = ratings.subset(np.arange(ratings.n_ratings) % 5 == 0)
    return train, test


def settings(**changes) -> TuneSettings:
    return TuneSettings(**{"trials": 3, "kinds": FAST, **changes})


def test_a_tiny_search_returns_the_best_settings_and_a_model(data):
    train, test = data
    seen: list = []
    result = run_to_end(Tuner(train, settings(), BASE, test), seen.append)
    outcomes = [e for e in seen if isinstance(e, TrialOutcome)]
    assert result.n_trials == len(outcomes) == 3
    complete = [o for o in outcomes if o.state == "complete"]
    best = min(complete, key=lambda o: o.valid_rmse)
    assert result.best_params == best.params and result.best_valid_rmse == best.valid_rmse
    assert outcomes[0].params["model"] == "dotbias" and outcomes[0].params["n_factors"] == 50
    assert result.fitted is not None and math.isfinite(result.test_rmse)
    assert result.fitted.metrics["tune"]["refit"] is True
    summary = result.summary()
    assert {"trials", "best_params", "best_valid_rmse", "test_rmse", "seconds"} <= set(summary)


def test_the_test_file_is_scored_once_and_only_after_the_search(data, monkeypatch):
    train, test = data
    events: list = []
    scored_test: list[int] = []
    build = evaluation.EvalRows.build.__func__

    def spy(cls, rows, reference, device, name):
        if name == "test" and rows is not None:
            scored_test.append(sum(isinstance(e, TrialOutcome) for e in events))
        return build(cls, rows, reference, device, name)

    monkeypatch.setattr(evaluation.EvalRows, "build", classmethod(spy))
    run_to_end(Tuner(train, settings(), BASE, test), events.append)
    assert scored_test == [3]  # once, after all three trials
    assert isinstance(events[-1], TuneStage) and "test" in events[-1].text


def test_a_pruned_trial_stops_before_its_last_epoch(data):
    train, _ = data
    tuner = Tuner(train, settings(trials=2), BASE, pruner=optuna.pruners.ThresholdPruner(upper=0))
    seen: list = []
    result = run_to_end(tuner, seen.append)
    outcomes = [e for e in seen if isinstance(e, TrialOutcome)]
    assert [o.state for o in outcomes] == ["pruned", "pruned"]
    for outcome in outcomes:
        epochs = [r for r in outcome.reports if hasattr(r, "valid_rmse")]
        assert len(epochs) < outcome.config.epochs
    assert result.fitted is None and result.best_params == {}
    assert result.n_pruned == 2


def test_stop_ends_the_search_and_keeps_the_best_so_far(data):
    train, _ = data
    tuner = Tuner(train, settings(trials=50), BASE)

    def stop_after_two(event):
        if isinstance(event, TrialOutcome) and event.number == 1:
            tuner.stop()

    result = run_to_end(tuner, stop_after_two)
    assert result.n_trials == 2 and result.stopped
    assert result.fitted is not None
    assert result.fitted.metrics["tune"]["refit"] is False  # Stop skips the refit


def test_the_time_budget_ends_the_search(data):
    train, _ = data
    ticks = iter(range(0, 10_000, 20))  # every look at the clock: 20 s later
    tuner = Tuner(train, settings(trials=None, minutes=1), BASE, clock=lambda: next(ticks))
    result = run_to_end(tuner)
    assert 1 <= result.n_trials <= 3


DIVERSE = ("dotbias", "autorec")  # two kinds whose errors differ: the selection blends them


def run_with_outcomes(tuner: Tuner):
    """The result and every trial's outcome (each carries the trial's own model)."""
    seen: list = []
    result = run_to_end(tuner, seen.append)
    return result, {e.number: e for e in seen if isinstance(e, TrialOutcome)}


def test_ensemble_weights_are_the_validation_fit_of_the_chosen_trials(data):
    train, _ = data
    tuner = Tuner(train, settings(trials=4, ensemble=3, refit=False, kinds=DIVERSE), BASE)
    result, outcomes = run_with_outcomes(tuner)
    module = result.fitted.module
    assert isinstance(module, Ensemble)
    _, valid, _ = prepare_split(train, tuner.base)
    members = result.fitted.metrics["ensemble"]["members"]
    assert len(members) == len(module.members) >= 2
    assert [m["valid_rmse"] for m in members] == sorted(m["valid_rmse"] for m in members)
    chosen = [outcomes[n] for n in result.fitted.metrics["tune"]["chosen_trials"]]
    assert {o.params["model"] for o in chosen} == set(DIVERSE)
    for outcome in chosen:  # the trials' own models: trained without the validation rows
        assert outcome.fitted.metrics["n_train"] == len(train) - valid.n_ratings
    x, y = blend.validation_predictions([o.fitted for o in chosen], valid)
    weights, intercept = blend.fit_blend(x, y)
    np.testing.assert_allclose(module.weights.numpy(), weights, rtol=1e-5)
    assert float(module.intercept) == pytest.approx(intercept, rel=1e-5)
    assert result.valid_rmse <= min(m["valid_rmse"] for m in members) + 1e-9


def test_the_refit_bags_each_chosen_setting_over_seeds_with_the_validation_weights(data):
    train, test = data
    tuner = Tuner(train, settings(trials=4, ensemble=3, bag=2, kinds=DIVERSE), BASE, test)
    result, outcomes = run_with_outcomes(tuner)
    module = result.fitted.module
    tune_facts = result.fitted.metrics["tune"]
    chosen = tune_facts["chosen_trials"]
    assert tune_facts["refit"] is True and tune_facts["bag"] == 2
    assert len(module.members) == 2 * len(chosen)
    info = result.fitted.metrics["ensemble"]["members"]
    _, valid, _ = prepare_split(train, tuner.base)
    x, y = blend.validation_predictions([outcomes[n].fitted for n in chosen], valid)
    weights, intercept = blend.fit_blend(x, y)
    for k, number in enumerate(chosen):
        pair = info[2 * k : 2 * k + 2]
        assert [m["config"]["seed"] for m in pair] == [BASE.seed, BASE.seed + 1]
        assert {m["config"]["model"] for m in pair} == {outcomes[number].params["model"]}
        np.testing.assert_allclose([m["weight"] for m in pair], [weights[k] / 2] * 2, rtol=1e-5)
    assert float(module.intercept) == pytest.approx(intercept, rel=1e-5)
    assert math.isfinite(result.test_rmse)


def test_impossible_budgets_are_refused_with_a_sentence(data):
    train, _ = data
    with pytest.raises(CfdeskError, match="budget"):
        Tuner(train, TuneSettings())
    with pytest.raises(CfdeskError, match="validation share"):
        Tuner(train, settings(), BASE.with_changes(valid_frac=0.0))
    with pytest.raises(CfdeskError, match="model kind 'svd' is unknown"):
        Tuner(train, settings(kinds=("svd",)))
    with pytest.raises(CfdeskError, match="at least one model kind"):
        Tuner(train, settings(kinds=()))


def test_importances_need_a_few_complete_trials(data):
    train, _ = data
    seen: list = []
    run_to_end(Tuner(train, settings(trials=6), BASE), seen.append)
    last = [e for e in seen if isinstance(e, TrialOutcome)][-1]
    importances = tune.param_importances(last.trials)
    assert importances and abs(sum(importances.values()) - 1) < 1e-6
    assert tune.param_importances(last.trials[:2]) == {}


def test_a_continuous_scale_leaves_the_dist_model_out_and_says_so(data):
    train, _ = data
    seen: list = []
    run_to_end(Tuner(train, settings(trials=4, kinds=("dist", "dot")), BASE), seen.append)
    stages = [e.text for e in seen if isinstance(e, TuneStage)]
    assert any(t.startswith("Leaving the dist model out") for t in stages)
    outcomes = [e for e in seen if isinstance(e, TrialOutcome)]
    assert outcomes and all(o.params["model"] == "dot" for o in outcomes)
    with pytest.raises(CfdeskError, match="dist model"):
        run_to_end(Tuner(train, settings(kinds=("dist",)), BASE))
