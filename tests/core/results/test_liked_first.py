"""Liked-first ranking: the popularity prior never lifts an item the user should dislike."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data import demo
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.model import build_model
from cfdesk.core.results.foldin import fold_in
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.training.trainer import fit


def random_fitted(n_users: int = 40, n_items: int = 300, seed: int = 0) -> FittedModel:
    """A dotbias model on 1-5 with random factors and a long-tailed rating count per item."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    module = build_model("dotbias", n_users, n_items, 8, (0.5, 5.5))
    with torch.no_grad():
        for param in module.parameters():
            param.normal_(0, 0.6)
    per_user = rng.integers(5, 60, n_users)
    indptr = np.concatenate([[0], np.cumsum(per_user)]).astype(np.int64)
    weights = 1.0 / np.arange(1, n_items + 1)
    indices = np.concatenate(
        [rng.choice(n_items, k, replace=False, p=weights / weights.sum()) for k in per_user]
    ).astype(np.int32)
    return FittedModel(
        module=module,
        config=TrainConfig(n_factors=8),
        users=IdIndex(np.arange(1, n_users + 1)),
        items=IdIndex(np.arange(1, n_items + 1)),
        seen=SeenItems(indptr, indices),
        item_count=np.bincount(indices, minlength=n_items) + 1,
        item_mean=np.full(n_items, 3.5, np.float32),
        user_count=per_user,
        rating_range=(1.0, 5.0),
    )


def reference(rec: Recommender, user: int, n: int) -> np.ndarray:
    """Liked items (predicted >= floor) by prediction + prior, then the rest by prediction."""
    fitted = rec.fitted
    items = np.setdiff1d(np.arange(fitted.n_items), fitted.seen.of(user))
    pred = fitted.predict(np.full(len(items), user), items)
    raw = fitted.module.raw(torch.full((len(items),), user), torch.as_tensor(items))
    prior = rec.popularity_weight * np.log1p(fitted.item_count[items])
    liked = pred >= rec.liked_floor
    key = np.where(liked, raw.detach().numpy() + prior, pred - 100.0)
    return items[np.argsort(-key, kind="stable")][:n]


@pytest.mark.parametrize("share", [0.625, 0.8, 0.95])
@pytest.mark.parametrize("n", [1, 10, 60])
def test_lists_match_a_brute_force_liked_first_ranking(share, n):
    fitted = random_fitted()
    rec = Recommender(fitted, popularity_weight=1.5, liked_share=share)
    idx, scores = rec.recommend_idx(np.arange(fitted.n_users), n=n)
    for user in range(fitted.n_users):
        np.testing.assert_array_equal(idx[user], reference(rec, user, n))
        want = fitted.predict(np.full(n, user), idx[user])
        np.testing.assert_allclose(scores[user], want, rtol=1e-5)


def test_prior_reorders_liked_items_only_and_the_rest_fall_by_prediction():
    fitted = random_fitted(seed=1)
    rec = Recommender(fitted, popularity_weight=3.0, liked_share=0.8)
    _, scores = rec.recommend_idx(np.arange(fitted.n_users), n=50)
    for row in scores:
        liked = row >= rec.liked_floor
        n_liked = int(liked.sum())
        assert liked[:n_liked].all(), "a disliked item ranks above a liked one"
        assert np.all(np.diff(row[n_liked:]) <= 1e-6)


def test_without_a_floor_the_old_ranking_comes_back():
    fitted = random_fitted(seed=2)
    floorless = Recommender(fitted, popularity_weight=1.5, liked_share=None)
    idx, _ = floorless.recommend_idx(np.arange(fitted.n_users), n=10)
    keys = fitted.module.raw(
        torch.arange(fitted.n_users).repeat_interleave(fitted.n_items),
        torch.arange(fitted.n_items).repeat(fitted.n_users),
    ).view(fitted.n_users, fitted.n_items)
    keys = keys.detach().numpy() + 1.5 * np.log1p(fitted.item_count)
    for user in range(fitted.n_users):
        keys[user, fitted.seen.of(user)] = -np.inf
        np.testing.assert_array_equal(idx[user], np.argsort(-keys[user], kind="stable")[:10])


@pytest.fixture(scope="module")
def demo_model() -> FittedModel:
    """The app's demo data set, trained briefly (about a second)."""
    frame, _ = demo.generate_demo(seed=0)
    ratings = ratings_from_raw(
        frame["user_id"].to_numpy(),
        frame["item_id"].to_numpy(),
        frame["rating"].to_numpy(np.float32),
    )
    return fit(ratings, TrainConfig(device="cpu", epochs=3, n_factors=16, seed=0))


def test_demo_top_10_never_holds_an_item_predicted_below_the_floor(demo_model):
    fitted = demo_model
    users = np.random.default_rng(0).choice(fitted.n_users, 200, replace=False)
    heavy = np.argsort(-np.asarray(fitted.user_count), kind="stable")[:50]
    users = np.union1d(users, heavy)
    default = Recommender(fitted)
    _, scores = default.recommend_idx(users, n=10)
    _, every = Recommender(fitted, popularity_weight=0.0).recommend_idx(users, n=fitted.n_items)
    n_liked = (np.nan_to_num(every, nan=-np.inf) >= default.liked_floor).sum(axis=1)
    enough = n_liked >= 10
    assert default.liked_floor == 3.5 and enough.sum() > len(users) // 2
    assert np.all(scores[enough] >= default.liked_floor)
    for row, liked in zip(scores[~enough], n_liked[~enough], strict=True):
        assert np.all(row[:liked] >= default.liked_floor)  # every liked item, then the rest
    _, unfloored = Recommender(fitted, liked_share=None).recommend_idx(users, n=10)
    assert (unfloored[enough] < default.liked_floor).any(), "the demo no longer shows the problem"


def test_a_new_users_list_also_puts_liked_items_first(demo_model):
    """Someone who dislikes the blockbusters: the prior must not bring back their lookalikes."""
    fitted = demo_model
    order = np.argsort(-np.asarray(fitted.item_count), kind="stable")
    pairs = [(fitted.items.ids[i], 1.0) for i in order[:3]]
    pairs += [(fitted.items.ids[i], 5.0) for i in order[200:203]]
    folded = fold_in(fitted, pairs)
    rec = Recommender(fitted)
    ids, scores = rec.recommend_folded(folded, n=10)
    predicted = rec.score_folded(folded)
    predicted[folded.item_idx] = -np.inf
    assert (predicted >= rec.liked_floor).sum() >= 10
    assert len(ids) == 10 and np.all(scores >= rec.liked_floor)
    _, unfloored = Recommender(fitted, liked_share=None).recommend_folded(folded, n=10)
    assert (unfloored < rec.liked_floor).any(), "the example no longer shows the problem"
