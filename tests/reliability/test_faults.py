"""Injected faults, quick profile (scripts/fault_matrix.py runs every k): out of memory, NaN,
a failing report consumer, a full disk and a read-only folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.training.trainer import fit

from .faults import (
    CONFIG,
    WRITE_FAULTS,
    n_steps,
    planted,
    run_consumer_error,
    run_nan,
    run_oom,
    run_write_fault,
)


@pytest.fixture(scope="module")
def ratings() -> Ratings:
    return planted()


@pytest.fixture(scope="module")
def models(ratings) -> tuple[FittedModel, FittedModel]:
    """Two different models: one wrote the old files, the other's write fails."""
    return fit(ratings, CONFIG), fit(ratings, CONFIG.with_changes(seed=1))


def test_the_quick_profile_covers_several_epochs(ratings) -> None:
    assert n_steps(ratings) >= 3 * 5


@pytest.mark.parametrize("k", [1, 7, 20])
def test_out_of_memory_at_step_k_recovers_with_auto_fit(ratings, k) -> None:
    assert run_oom(ratings, k, auto_fit=True) == "recovered"


@pytest.mark.parametrize("k", [1, 20])
def test_out_of_memory_at_step_k_without_auto_fit_gives_advice_that_works(ratings, k) -> None:
    assert run_oom(ratings, k, auto_fit=False) == "refused with advice"


@pytest.mark.parametrize("when", ["mid epoch 1", "end of epoch 1", "mid epoch 2", "last step"])
def test_nan_weights_after_step_k_stop_training_and_keep_the_last_good_epoch(ratings, when):
    steps = n_steps(ratings)
    per_epoch = steps // CONFIG.epochs
    k = {"mid epoch 1": 3, "end of epoch 1": per_epoch, "mid epoch 2": per_epoch + 2}.get(
        when, steps
    )
    assert run_nan(ratings, k) == "refused"


@pytest.mark.parametrize("k", [1, 2, 12, 25])
def test_a_report_consumer_that_raises_leaves_the_trainer_usable(ratings, k) -> None:
    assert run_consumer_error(ratings, k) == "consistent"


@pytest.mark.parametrize("what", ["model.cfmodel", "recommendations.csv", "predictions.csv"])
@pytest.mark.parametrize("kind", WRITE_FAULTS)
def test_a_failed_write_names_the_file_and_leaves_the_old_one(models, tmp_path: Path, what, kind):
    k = 100 if kind == "disk full" else 0  # after 100 characters, or the first call
    assert run_write_fault(models, tmp_path, what, kind, k) == "refused"


@pytest.mark.parametrize(
    ("kind", "k"),
    [("disk full", 0), ("disk full", 300), ("disk full at fsync", 0), ("disk full at fsync", 1)],
)
def test_the_projector_files_change_together_or_not_at_all(models, tmp_path: Path, kind, k):
    assert run_write_fault(models, tmp_path, "projector", kind, k) == "refused"
