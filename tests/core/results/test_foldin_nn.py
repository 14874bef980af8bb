"""Fold-in for the nn model: a user the model was trained on, folded in again, fits as well."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.results.foldin import FoldedUser, fold_in
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.training.trainer import fit


@pytest.fixture(scope="module")
def trained_nn():
    """An nn model on ratings whose items differ strongly in average (the item bias matters)."""
    rng = np.random.default_rng(7)
    n_users, n_items = 150, 80
    u, v = rng.normal(size=(n_users, 3)), rng.normal(size=(n_items, 3))
    item_offset = np.linspace(-1.2, 1.2, n_items)
    truth = np.clip(3.0 + item_offset + 0.5 * u @ v.T / np.sqrt(3), 1, 5)
    users, items = np.nonzero(rng.random((n_users, n_items)) < 0.5)
    values = truth[users, items] + rng.normal(scale=0.2, size=len(users))
    ratings = ratings_from_raw(users + 1, items + 101, values.astype(np.float32))
    config = TrainConfig(model="nn", n_factors=8, nn_layers=(16,), epochs=6, valid_frac=0.0)
    return fit(ratings, config.with_changes(device="cpu")), ratings


def test_folding_in_a_trained_user_predicts_their_ratings_as_well(trained_nn):
    fitted, ratings = trained_nn
    rec = Recommender(fitted)
    for user in range(0, 150, 15):
        mine = ratings.user_idx == user
        item_idx, actual = ratings.item_idx[mine], ratings.rating[mine]
        folded = fold_in(fitted, zip(fitted.items.ids[item_idx], actual, strict=True))
        assert folded.method == "gradient"
        with torch.no_grad():
            users = torch.full((len(item_idx),), user, dtype=torch.int64)
            trained = fitted.module(users, torch.as_tensor(item_idx)).numpy()
        folded_pred = rec.score_folded(folded)[item_idx]
        trained_rmse = np.sqrt(np.mean((trained - actual) ** 2))
        folded_rmse = np.sqrt(np.mean((folded_pred - actual) ** 2))
        assert folded_rmse <= trained_rmse + 0.05, (user, folded_rmse, trained_rmse)


def test_the_scorer_gives_a_trained_users_vector_the_models_own_predictions(trained_nn):
    fitted, _ = trained_nn
    users = torch.arange(5)
    with torch.no_grad():
        expected = fitted.module.score_users(users).numpy()
    rec = Recommender(fitted)
    for user in range(5):
        vector = fitted.module.user_embeddings()[user].detach()
        bias = float(fitted.module.user_biases()[user])
        same = FoldedUser(vector, bias, np.zeros(0, np.int64), np.zeros(0, np.float32), "trained")
        np.testing.assert_allclose(rec.score_folded(same), expected[user], atol=1e-4)
