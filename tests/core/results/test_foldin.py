"""Fold-in: a planted new user's vector is recovered and their recommendations follow."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.errors import CfdeskError, UnknownIdError
from cfdesk.core.results.foldin import fold_in, rating_logits
from cfdesk.core.results.recommend import Recommender

RECOVERY_TOL = 0.05  # max abs error on vector entries from 30 noise-free ratings


def planted_user(model, rng):
    """A new user's vector/bias and their exact ratings on 30 random items."""
    vector = rng.normal(size=model.module.item_factors.weight.shape[1]) * 0.7
    bias = 0.3
    items = rng.choice(model.n_items, size=30, replace=False)
    with torch.no_grad():
        v = model.module.item_factors.weight.double().numpy()[items]
        raw = v @ vector + bias + model.module.item_bias.weight.double().numpy()[items, 0]
    return vector, bias, items, raw


def test_recovers_a_planted_user_without_a_sigmoid(fitted):
    vector, bias, items, raw = planted_user(fitted, np.random.default_rng(3))
    pairs = zip(fitted.items.ids[items], raw, strict=True)
    folded = fold_in(fitted, pairs, reg=1e-4)
    np.testing.assert_allclose(folded.vector.numpy(), vector, atol=RECOVERY_TOL)
    assert folded.bias == pytest.approx(bias, abs=RECOVERY_TOL)
    assert folded.method == "least-squares"


def test_recovers_a_planted_user_through_the_sigmoid(fitted_of):
    model = fitted_of("dotbias", y_range=(0.0, 5.5))
    vector, bias, items, raw = planted_user(model, np.random.default_rng(4))
    ratings = 5.5 / (1 + np.exp(-raw))
    folded = fold_in(model, zip(model.items.ids[items], ratings, strict=True), reg=1e-4)
    np.testing.assert_allclose(folded.vector.numpy(), vector, atol=RECOVERY_TOL)
    assert folded.bias == pytest.approx(bias, abs=RECOVERY_TOL)


def test_folded_recommendations_match_the_planted_users_taste(fitted):
    vector, bias, items, raw = planted_user(fitted, np.random.default_rng(5))
    folded = fold_in(fitted, zip(fitted.items.ids[items], raw, strict=True), reg=1e-4)
    rec = Recommender(fitted, popularity_weight=0.0)
    ids, scores = rec.recommend_folded(folded, n=5, min_ratings=0)
    rated = set(fitted.items.ids[items].tolist())
    assert not rated & set(ids.tolist())
    with torch.no_grad():
        v = fitted.module.item_factors.weight.double().numpy()
        truth = v @ vector + bias + fitted.module.item_bias.weight.double().numpy()[:, 0]
    truth[items] = -np.inf
    best = fitted.items.ids[np.argsort(-truth)[:5]]
    assert list(ids) == list(best)
    np.testing.assert_allclose(scores, np.sort(truth)[::-1][:5], atol=0.05)
    np.testing.assert_allclose(rec.score_folded(folded)[items], raw, atol=0.05)


def test_few_ratings_stay_close_to_the_average_user(fitted):
    folded = fold_in(fitted, [(fitted.items.ids[0], 5.0)])
    prior = fitted.module.user_factors.weight.mean(dim=0).detach()
    assert torch.linalg.norm(folded.vector - prior) < 1.0


def test_nn_model_folds_in_by_gradient_steps(fitted_of):
    model = fitted_of("nn", y_range=(0.0, 5.5))
    items = model.items.ids[:10]
    folded = fold_in(model, [(i, 5.0) for i in items], reg=1e-3)
    assert folded.method == "gradient"
    rec = Recommender(model)
    average = fold_in(model, [(items[0], 2.75)], reg=1e6)  # held at the average user
    gain = rec.score_folded(folded)[:10].mean() - rec.score_folded(average)[:10].mean()
    assert gain > 0.5
    ids, _ = rec.recommend_folded(folded, n=3, min_ratings=0)
    assert len(ids) == 3 and not set(ids) & set(items.tolist())
    assert all(p.grad is None for p in model.module.parameters())


def test_bad_input_is_explained(fitted):
    with pytest.raises(UnknownIdError, match="does not occur"):
        fold_in(fitted, [(424242, 4.0)])
    with pytest.raises(CfdeskError, match="at least one"):
        fold_in(fitted, [])


def test_logits_clip_ratings_at_the_ends_of_the_range():
    out = rating_logits(np.array([0.0, 2.75, 5.5, 9.0]), (0.0, 5.5))
    assert np.all(np.isfinite(out)) and out[1] == pytest.approx(0.0)
