"""Gradient accumulation gives the full batch's weights; out-of-memory becomes advice or a retry."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import OutOfMemoryError
from cfdesk.core.training.reports import BatchReport
from cfdesk.core.training.row_sparse import RowSparseOptimizer
from cfdesk.core.training.trainer import Trainer


def _weights(trainer: Trainer) -> dict:
    list(trainer.reports())
    return {k: v.clone() for k, v in trainer.module.state_dict().items()}


def test_accumulated_micro_batches_match_the_full_batch(tiny, quick):
    train, valid, _ = prepare_split(tiny, quick)
    full = _weights(Trainer(train, valid, quick))
    accumulated = _weights(Trainer(train, valid, quick.with_changes(accum_steps=4)))
    for name, value in full.items():
        torch.testing.assert_close(accumulated[name], value, rtol=1e-4, atol=1e-5)


def _fail_once(monkeypatch, trainer: Trainer) -> list:
    """Make the first forward pass raise torch.OutOfMemoryError, as a full GPU would."""
    calls = []
    real = trainer.module.forward

    def forward(users, items):
        calls.append(len(users))
        if len(calls) == 1:
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real(users, items)

    monkeypatch.setattr(trainer.module, "forward", forward)
    return calls


def test_out_of_memory_names_a_batch_and_accumulation_that_fit(monkeypatch, tiny, quick):
    train, valid, _ = prepare_split(tiny, quick)
    trainer = Trainer(train, valid, quick)
    _fail_once(monkeypatch, trainer)
    with pytest.raises(OutOfMemoryError, match="batch size 64 with accumulation 2") as info:
        list(trainer.reports())
    assert (info.value.batch_size, info.value.accum_steps) == (64, 2)


def test_auto_fit_retries_with_half_micro_batches_and_says_so(monkeypatch, tiny, quick):
    config = quick.with_changes(auto_fit=True, report_every=1)
    train, valid, _ = prepare_split(tiny, config)
    trainer = Trainer(train, valid, config)
    calls = _fail_once(monkeypatch, trainer)
    reports = list(trainer.reports())
    assert calls[:3] == [128, 64, 64]
    messages = [r.message for r in reports if isinstance(r, BatchReport) and r.message]
    assert messages and "micro-batches of 64" in messages[0]
    assert trainer.result().config.accum_steps == 2


def test_row_sparse_accumulation_matches_its_full_batch(tiny, quick):
    config = quick.with_changes(row_sparse=True, model="nn", nn_layers=(8,))
    train, valid, _ = prepare_split(tiny, config)
    full = _weights(Trainer(train, valid, config))
    accumulated = _weights(Trainer(train, valid, config.with_changes(accum_steps=4)))
    for name, value in full.items():
        torch.testing.assert_close(accumulated[name], value, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("optimizer", ["adamw", "sgd"])
def test_row_sparse_updates_learn_and_leave_unused_rows_alone(tiny, quick, optimizer):
    config = quick.with_changes(
        row_sparse=True, optimizer=optimizer, epochs=6, lr=0.05 if optimizer == "adamw" else 1.0
    )
    train, valid, _ = prepare_split(tiny, config)
    train = train.subset(train.item_idx != 0)  # item 0 is never used
    trainer = Trainer(train, valid, config)
    before = trainer.module.item_factors.weight[0].clone()
    list(trainer.reports())
    history = trainer.result().history
    assert history[-1]["train_rmse"] < history[0]["train_rmse"] - 0.05
    torch.testing.assert_close(trainer.module.item_factors.weight[0], before)


@pytest.mark.parametrize("model", ["dotbias", "nn"])
def test_row_sparse_retry_after_out_of_memory_steps_each_table_once(
    monkeypatch, tiny, quick, model
):
    config = quick.with_changes(row_sparse=True, model=model, nn_layers=(8,), auto_fit=True)
    train, valid, _ = prepare_split(tiny, config)
    expected = _weights(Trainer(train, valid, config))
    real, calls = RowSparseOptimizer._compute, []

    def compute(self, name, *args):
        calls.append(name)
        if len(calls) == 2:  # the first table's new rows are computed, the second runs out
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real(self, name, *args)

    monkeypatch.setattr(RowSparseOptimizer, "_compute", compute)
    trainer = Trainer(train, valid, config)
    retried = _weights(trainer)
    assert trainer.accum_steps == 2
    for name, value in expected.items():
        torch.testing.assert_close(retried[name], value, rtol=1e-4, atol=1e-5)
