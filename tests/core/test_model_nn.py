"""The nn model's dot branch, and nn model files from before it existed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.model import EmbeddingNN, build_model
from cfdesk.core.storage import model_file
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.trainer import fit


@pytest.fixture
def nn_fitted(tiny):
    config = TrainConfig(model="nn", n_factors=8, nn_layers=(16,), epochs=2, device="cpu")
    return fit(tiny, config)


def test_the_dot_branch_adds_u_dot_v_to_the_mlps_output():
    with_dot = build_model("nn", 4, 3, n_factors=5, layers=(6,))
    without = build_model("nn", 4, 3, n_factors=5, layers=(6,), dot_branch=False)
    without.load_state_dict(with_dot.state_dict())
    users, items = torch.tensor([0, 3, 2]), torch.tensor([2, 1, 0])
    dots = (with_dot.user_factors(users) * with_dot.item_factors(items)).sum(dim=1)
    torch.testing.assert_close(with_dot.raw(users, items), without.raw(users, items) + dots)


def test_the_new_shape_survives_a_model_file(nn_fitted, tmp_path):
    loaded = load_model(save_model(nn_fitted, tmp_path / "n.cfmodel"))
    assert loaded.module.dot_branch
    np.testing.assert_allclose(loaded.predict([0, 1], [0, 1]), nn_fitted.predict([0, 1], [0, 1]))


def test_an_nn_file_from_before_the_dot_branch_still_opens(nn_fitted, tmp_path, monkeypatch):
    old = EmbeddingNN(nn_fitted.module.n_users, nn_fitted.module.n_items, 8, (0.5, 5.5), (16,))
    nn_fitted.module = old.eval()
    new_meta = model_file._model_meta

    def old_meta(fitted):
        """The model metadata as files written before dot_branch existed hold it."""
        meta = new_meta(fitted)
        del meta["dot_branch"]
        return meta

    monkeypatch.setattr(model_file, "_model_meta", old_meta)
    path = save_model(nn_fitted, tmp_path / "old.cfmodel")
    monkeypatch.undo()
    loaded = load_model(path)
    assert not loaded.module.dot_branch
    np.testing.assert_allclose(loaded.predict([0, 1], [0, 1]), nn_fitted.predict([0, 1], [0, 1]))
