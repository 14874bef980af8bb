"""CUDA's fixed-size slot tables (run here on the CPU) hold each distinct row once, and training on
them gives the weights the CPU's exact-size tables give."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.data.split import prepare_split
from cfdesk.core.training import device as device_module
from cfdesk.core.training.slots import slots_of
from cfdesk.core.training.trainer import Trainer


@pytest.mark.parametrize("n_rows", [6, 50])
def test_slots_hold_each_distinct_row_once_then_repeat_the_last(n_rows):
    ids = torch.tensor([5, 3, 5, 1, 3, 3, 0, 5])
    slots = slots_of(ids, n_rows)
    size = min(len(ids), n_rows)
    assert len(slots.rows) == size == len(slots.source)  # the size never depends on the data
    assert slots.rows.tolist() == [0, 1, 3, 5] + [5] * (size - 4)
    assert torch.equal(slots.rows[slots.pos], ids)  # each sample finds its row
    assert slots.source.tolist() == [0, 1, 2, 3] + [3] * (size - 4)
    grad = torch.arange(size, dtype=torch.float32).unsqueeze(1)
    assert slots.fill(grad).squeeze(1).tolist() == [0, 1, 2, 3] + [3] * (size - 4)


def _weights(train, valid, config) -> dict[str, torch.Tensor]:
    trainer = Trainer(train, valid, config)
    list(trainer.reports())
    return {k: v.clone() for k, v in trainer.module.state_dict().items()}


@pytest.mark.parametrize(
    "changes",
    [
        {"model": "dotbias"},
        {"model": "dotbias", "accum_steps": 4},
        {"model": "dot", "optimizer": "sgd", "lr": 0.5},
        {"model": "nn", "nn_layers": (8,)},
        {"model": "nn", "nn_layers": (8,), "accum_steps": 2},
    ],
)
def test_slot_tables_train_the_weights_exact_tables_train(tiny, quick, monkeypatch, changes):
    config = quick.with_changes(row_sparse=True, batch_size=32, lr_batch=32, **changes)
    train, valid, _ = prepare_split(tiny, config)
    exact = _weights(train, valid, config)
    monkeypatch.setattr(device_module, "SYNC_FREE_DEVICES", frozenset({"cuda", "cpu"}))
    slotted = _weights(train, valid, config)
    for name, value in exact.items():
        torch.testing.assert_close(slotted[name], value, rtol=1e-4, atol=1e-6)
