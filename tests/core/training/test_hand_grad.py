"""Hand-written gradients for the dot models give the same weights as autograd does."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core import train as train_module
from cfdesk.core.split import prepare_split
from cfdesk.core.train import Trainer


def _trained(train, valid, config) -> dict[str, torch.Tensor]:
    trainer = Trainer(train, valid, config)
    list(trainer.reports())
    return {k: v.clone() for k, v in trainer.module.state_dict().items()}


@pytest.mark.parametrize(
    "changes",
    [
        {"model": "dotbias"},
        {"model": "dot", "use_y_range": False, "lr": 0.005},
        {"model": "dotbias", "optimizer": "sgd", "lr": 0.5},
        {"model": "dotbias", "accum_steps": 4},
    ],
)
def test_hand_gradients_match_autograd(tiny, quick, monkeypatch, changes):
    config = quick.with_changes(row_sparse=True, **changes)
    train, valid, _ = prepare_split(tiny, config)
    hand = _trained(train, valid, config)
    monkeypatch.setattr(train_module, "has_hand_gradients", lambda module: False)
    auto = _trained(train, valid, config.with_changes(accum_steps=1))
    for name, value in auto.items():
        torch.testing.assert_close(hand[name], value, rtol=1e-4, atol=1e-5)
