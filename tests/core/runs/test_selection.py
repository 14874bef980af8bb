"""Greedy ensemble selection (diverse members over near-twins, bounded size and memory) and
pruning among trials of the same kind."""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from optuna.trial import TrialState

from cfdesk.core.config import TrainConfig
from cfdesk.core.runs.library import Entry, TrialLibrary
from cfdesk.core.runs.pruning import KindMedianPruner
from cfdesk.core.runs.selection import greedy_selection
from tests.core.conftest import planted_ratings


def planted_columns(seed: int = 0):
    """Truth, three near-twins of one model (shared error) and one different model."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(3.5, 1.0, 4000)
    shared = rng.normal(0, 0.4, 4000)
    twins = [truth + shared + rng.normal(0, 0.05, 4000) for _ in range(3)]
    other = truth + rng.normal(0, 0.45, 4000)
    return truth, np.stack([*twins, other], axis=1)


def test_it_picks_the_different_model_over_near_twins():
    truth, x = planted_columns()
    chosen = greedy_selection(x, truth, max_members=2)
    assert 3 in chosen.columns and len(chosen.columns) == 2
    alone = np.sqrt(np.mean((x - truth[:, None]) ** 2, axis=0))
    assert chosen.columns[0] == int(np.argmin(alone))  # the best alone comes first
    assert chosen.rmse < alone.min() - 0.02
    blended = x[:, list(chosen.columns)] @ chosen.weights
    assert chosen.rmse == pytest.approx(np.sqrt(np.mean((blended - truth) ** 2)))


def test_it_never_holds_more_distinct_members_than_allowed():
    truth, x = planted_columns(1)
    assert len(greedy_selection(x, truth, max_members=1).columns) == 1
    assert len(greedy_selection(x, truth, max_members=3).columns) <= 3


class _Fixed:
    """A stand-in fitted model whose predictions are a fixed column."""

    def __init__(self, column: np.ndarray) -> None:
        self.column = column

    def predict(self, users, items):
        return self.column


def test_the_library_keeps_only_the_chosen_models():
    ratings = planted_ratings(60, 40, noise=0.3)
    held = np.arange(len(ratings)) % 4 == 0
    train, valid = ratings.subset(~held), ratings.subset(held)
    library = TrialLibrary(train, valid, max_members=2, seed=0)
    rng = np.random.default_rng(0)
    truth = library.target
    shared = rng.normal(0, 0.4, len(truth))
    columns = [truth + shared + rng.normal(0, 0.05, len(truth)) for _ in range(3)]
    columns.append(truth + rng.normal(0, 0.45, len(truth)))
    for number, column in enumerate(columns):
        rmse = float(np.sqrt(np.mean((column - truth) ** 2)))
        library.add(Entry(number, {}, TrainConfig(), rmse, 1.0, _Fixed(column)))
    choice = library.choice()
    assert 3 in [e.number for e in choice.entries]
    assert all(e.fitted is not None for e in choice.entries)
    dropped = [e for e in library.entries if e not in choice.entries]
    assert dropped and all(e.fitted is None for e in dropped)
    assert library.best().valid_rmse == min(e.valid_rmse for e in library.entries)


def _trial(kind: str, values: dict, state=TrialState.COMPLETE):
    distributions = {"model": optuna.distributions.CategoricalDistribution(["dotbias", "autorec"])}
    return optuna.trial.create_trial(
        params={"model": kind}, distributions=distributions, intermediate_values=values,
        value=min(values.values()) if state == TrialState.COMPLETE else None, state=state,
    )  # fmt: skip


def test_a_trial_is_pruned_against_its_own_kind_only():
    study = optuna.create_study()
    for k in range(5):
        study.add_trial(_trial("dotbias", {50: 0.90 + k / 1000}))
    pruner = KindMedianPruner(n_startup_trials=5, n_warmup_steps=50)
    slow = _trial("autorec", {25: 1.2, 50: 0.95}, TrialState.RUNNING)
    assert not pruner.prune(study, slow)  # no five complete autorec trials to compare with
    weak = _trial("dotbias", {25: 1.0, 50: 0.95}, TrialState.RUNNING)
    assert pruner.prune(study, weak)
    early = _trial("dotbias", {25: 1.0}, TrialState.RUNNING)
    assert not pruner.prune(study, early)  # before the warm-up steps
