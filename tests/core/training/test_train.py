"""Training: accuracy, reproducibility, reports, stopping, early stopping, NaN detection."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import TrainingError
from cfdesk.core.training.reports import BatchReport, EpochReport, FitStarted
from cfdesk.core.training.trainer import Trainer, fit

from ..conftest import read_u

U1_GUARD = 0.912  # regression guard (measured 0.9069); bench/bench_train.py measures it


def test_defaults_on_u1_beat_the_guard_and_the_baselines(ml100k):
    config = TrainConfig(device="cpu", valid_frac=0.0)  # all of u1.base, as the book trains
    fitted = fit(read_u(ml100k / "u1.base"), config, read_u(ml100k / "u1.test"))
    m = fitted.metrics
    assert m["test_rmse"] <= U1_GUARD
    assert m["test_rmse"] < m["baselines"]["user_item_bias"]["test"] - 0.03
    assert m["n_test"] + m["n_test_skipped"] == 20_000


def test_planted_model_is_recovered_to_the_noise_level(planted_big):
    config = TrainConfig(n_factors=8, epochs=15, weight_decay=0.05, device="cpu", lr=0.02)
    fitted = fit(planted_big, config)
    assert fitted.metrics["valid_rmse"] <= 0.3 * 1.10  # noise std 0.3, within 10 %


def test_same_seed_gives_the_same_rmse_on_cpu(tiny, quick):
    first = fit(tiny, quick).metrics["valid_rmse"]
    second = fit(tiny, quick).metrics["valid_rmse"]
    other = fit(tiny, quick.with_changes(seed=7)).metrics["valid_rmse"]
    assert first == second
    assert other != first


def test_reports_come_in_order_with_the_promised_fields(tiny, quick):
    train, valid, _ = prepare_split(tiny, quick)
    trainer = Trainer(train, valid, quick.with_changes(report_every=2))
    reports = list(trainer.reports())
    started = reports[0]
    assert isinstance(started, FitStarted)
    assert started.n_train == train.n_ratings and started.batch_size == 128
    assert set(started.baselines) == {"global_mean", "user_item_bias"}
    epochs = [r for r in reports if isinstance(r, EpochReport)]
    batches = [r for r in reports if isinstance(r, BatchReport)]
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert batches and all(0 < b.fraction < 1 and b.loss_rmse > 0 for b in batches)
    assert batches[0].memory.kind == "cpu" and batches[0].memory.rss > 0
    assert all(e.samples_per_second > 0 and not math.isnan(e.valid_rmse) for e in epochs)
    fitted = trainer.result()
    assert len(fitted.history) == 3 and fitted.metrics["epochs_run"] == 3
    assert fitted.item_count.sum() == train.n_ratings
    assert fitted.seen.indptr[-1] == train.n_ratings + valid.n_ratings


def test_seen_items_hold_validation_rows_but_not_a_test_file(tiny, quick):
    rated, test = (
        tiny.subset(np.arange(tiny.n_ratings) % 5 > 0),
        tiny.subset(np.arange(tiny.n_ratings) % 5 == 0),
    )
    fitted = fit(rated, quick.with_changes(valid_frac=0.2), test)
    _, valid, _ = prepare_split(rated, quick.with_changes(valid_frac=0.2))
    for u, i in zip(valid.user_idx, valid.item_idx, strict=True):
        assert i in fitted.seen.of(int(u))  # held out to measure, but the user rated it
    in_seen = [
        i in fitted.seen.of(int(u)) for u, i in zip(test.user_idx, test.item_idx, strict=True)
    ]
    assert not any(in_seen)  # a separate test file is not the user's ratings file
    assert fitted.seen.indptr[-1] == rated.n_ratings


def test_stop_mid_epoch_keeps_the_last_completed_epoch(tiny, quick):
    train, valid, _ = prepare_split(tiny, quick)
    trainer = Trainer(train, valid, quick.with_changes(report_every=1))
    seen = []
    for report in trainer.reports():
        seen.append(report)
        if isinstance(report, BatchReport) and report.epoch == 2 and report.batch == 2:
            trainer.stop()
    assert [r.epoch for r in seen if isinstance(r, EpochReport)] == [1]
    fitted = trainer.result()
    assert fitted.metrics["outcome"] == "cancelled"
    epoch1 = next(r for r in seen if isinstance(r, EpochReport))
    assert fitted.metrics["valid_rmse"] == pytest.approx(epoch1.valid_rmse, rel=1e-5)
    assert np.isfinite(fitted.predict(np.array([0, 1]), np.array([0, 1]))).all()


def _early_stopped(tiny, quick):
    """A run that overfits fast with patience 2: (trainer, its epoch reports)."""
    config = quick.with_changes(
        epochs=30, lr=0.3, weight_decay=0.0, n_factors=32, patience=2, schedule="constant"
    )
    train, valid, _ = prepare_split(tiny, config)
    trainer = Trainer(train, valid, config)
    return trainer, [r for r in trainer.reports() if isinstance(r, EpochReport)]


def test_early_stopping_restores_the_best_epoch(tiny, quick):
    trainer, epochs = _early_stopped(tiny, quick)
    fitted = trainer.result()
    best = min(epochs, key=lambda r: r.valid_rmse)
    assert len(epochs) < 30 and fitted.metrics["outcome"] == "stopped early"
    assert fitted.metrics["best_epoch"] == best.epoch
    assert fitted.metrics["valid_rmse"] == pytest.approx(best.valid_rmse, rel=1e-5)


def test_early_stopping_reports_the_restored_epochs_training_rmse(tiny, quick):
    trainer, epochs = _early_stopped(tiny, quick)
    best = min(epochs, key=lambda r: r.valid_rmse)
    assert best is not epochs[-1]
    assert trainer.result().metrics["train_rmse"] == best.train_rmse


def _overfitting(tiny, quick, **changes):
    """Eight epochs that overfit (validation gets worse late): (result, its epoch reports)."""
    config = quick.with_changes(
        epochs=8, lr=0.3, weight_decay=0.0, n_factors=32, schedule="constant", **changes
    )
    train, valid, _ = prepare_split(tiny, config)
    trainer = Trainer(train, valid, config)
    epochs = [r for r in trainer.reports() if isinstance(r, EpochReport)]
    return trainer.result(), epochs


def test_the_best_validation_epoch_is_kept_and_the_sentence_says_so(tiny, quick):
    fitted, epochs = _overfitting(tiny, quick)
    best = min(epochs, key=lambda r: r.valid_rmse)
    assert best is not epochs[-1], "the run must overfit for this test to mean anything"
    m = fitted.metrics
    assert m["outcome"] == "finished" and m["epochs_run"] == 8
    assert m["kept_epoch"] == best.epoch
    assert m["valid_rmse"] == pytest.approx(best.valid_rmse, rel=1e-5)
    assert m["train_rmse"] == best.train_rmse
    assert f"Kept epoch {best.epoch}, the best validation RMSE" in m["kept"]
    assert "the last epoch run (8)" in m["kept"]


def test_keep_last_keeps_the_last_epoch_even_when_an_earlier_one_was_better(tiny, quick):
    fitted, epochs = _overfitting(tiny, quick, keep_best=False)
    best = min(epochs, key=lambda r: r.valid_rmse)
    assert best is not epochs[-1]
    m = fitted.metrics
    assert m["kept_epoch"] == 8
    assert m["valid_rmse"] == pytest.approx(epochs[-1].valid_rmse, rel=1e-5)
    assert m["valid_rmse"] > best.valid_rmse
    assert "Kept the last epoch run (8" in m["kept"] and "keep the best epoch is off" in m["kept"]


def test_without_validation_the_last_epoch_is_kept_and_the_sentence_says_why(tiny, quick):
    fitted, epochs = _overfitting(tiny, quick, valid_frac=0.0)
    assert all(math.isnan(r.valid_rmse) for r in epochs)
    m = fitted.metrics
    assert m["kept_epoch"] == 8 and m["train_rmse"] == epochs[-1].train_rmse
    assert "without validation ratings" in m["kept"]


def test_absurd_learning_rate_raises_training_error_naming_the_epoch(tiny, quick):
    config = quick.with_changes(use_y_range=False, optimizer="sgd", lr=1e6, report_every=1)
    with pytest.raises(TrainingError, match=r"epoch 1 .*lower the learning rate"):
        fit(tiny, config)


def test_unknown_validation_users_are_left_out_and_counted(tiny, quick):
    train, valid, _ = prepare_split(tiny, quick)
    lonely = train.user_idx == 0
    trainer = Trainer(train.subset(~lonely), valid, quick)
    list(trainer.reports())
    m = trainer.result().metrics
    n_user0 = int((valid.user_idx == 0).sum())
    assert m["n_valid_skipped"] == n_user0 > 0
    assert m["n_valid"] == valid.n_ratings - n_user0
    assert train.users.ids[0] in trainer.result().held_out_users


def test_bad_settings_raise_sentences(tiny, quick):
    with pytest.raises(TrainingError, match="power of two"):
        Trainer(tiny, None, quick.with_changes(batch_size=100))
    with pytest.raises(TrainingError, match="model setting"):
        Trainer(tiny, None, quick.with_changes(model="svd"))
    with pytest.raises(TrainingError, match="device setting"):
        Trainer(tiny, None, quick.with_changes(device="tpu"))


def test_empty_training_split_is_a_sentence(tiny, quick):
    with pytest.raises(TrainingError, match="no ratings left to train on"):
        Trainer(tiny.subset(tiny.rating > 100), None, quick)


def test_asking_for_the_implicit_term_with_row_sparse_updates_is_refused(tiny, quick):
    config = quick.with_changes(implicit=True, row_sparse=True)
    with pytest.raises(TrainingError, match="implicit term needs dense training"):
        fit(tiny, config)
