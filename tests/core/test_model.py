"""The model family: shapes, output range and the fixed initialisation."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.config import MODEL_KINDS, TrainConfig
from cfdesk.core.model import build_model, make_model


@pytest.mark.parametrize("kind", MODEL_KINDS)
def test_every_kind_predicts_one_value_per_pair_inside_y_range(kind):
    model = build_model(kind, 7, 5, n_factors=4, y_range=(0.5, 5.5), layers=(6,))
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-30, 30)
    out = model(torch.tensor([0, 6, 3]), torch.tensor([4, 0, 2]))
    assert out.shape == (3,)
    assert ((out >= 0.5) & (out <= 5.5)).all()
    scores = model.score_users(torch.tensor([1, 2]))
    assert scores.shape == (2, 5)
    torch.testing.assert_close(scores[0, 4], model(torch.tensor([1]), torch.tensor([4]))[0])


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown model type"):
        build_model("svd", 3, 3)


def test_default_y_range_widens_the_data_scale(tiny):
    model = make_model(TrainConfig(), tiny)
    low, high = tiny.scale.low, tiny.scale.high
    margin = (high - low) / 8
    assert model.y_range == pytest.approx((low - margin, high + margin))
    assert make_model(TrainConfig(use_y_range=False), tiny).y_range is None
    assert make_model(TrainConfig(y_range=(0.0, 5.5)), tiny).y_range == (0.0, 5.5)


def test_same_seed_same_initial_weights(tiny):
    a = make_model(TrainConfig(seed=3), tiny).state_dict()
    b = make_model(TrainConfig(seed=3), tiny).state_dict()
    for name, value in a.items():
        torch.testing.assert_close(value, b[name], rtol=0, atol=0)
