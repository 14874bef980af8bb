"""Neighbours: never the item itself, planted twins found, metrics agree with numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.results import recommend
from cfdesk.core.results.recommend import (
    NEIGHBOUR_MIN_RATINGS,
    Recommender,
    neighbour_min_ratings,
)
from cfdesk.core.results.similarity import Neighbours


def test_item_is_never_its_own_neighbour(fitted):
    rec = Recommender(fitted)
    for metric in ("cosine", "dot", "euclidean"):
        for item_id in fitted.items.ids[:10]:
            ids, _ = rec.similar_items(item_id, n=fitted.n_items, metric=metric)
            assert item_id not in ids
            assert len(ids) == fitted.n_items - 1


def test_planted_twins_are_each_others_nearest(fitted):
    with torch.no_grad():
        weights = fitted.module.item_factors.weight
        weights[7] = weights[3] * 2.0  # same direction, longer
        weights[12] = weights[3] + 1e-3  # almost the same point
    rec = Recommender(fitted)
    item = fitted.items.ids[3]
    cos_ids, cos = rec.similar_items(item, n=2, metric="cosine")
    assert set(cos_ids) == {fitted.items.ids[7], fitted.items.ids[12]}
    assert cos[0] == pytest.approx(1.0, abs=1e-4)
    euc_ids, dist = rec.similar_items(item, n=1, metric="euclidean")
    assert euc_ids[0] == fitted.items.ids[12] and dist[0] < 0.01


def test_scores_match_numpy_definitions():
    rng = np.random.default_rng(1)
    v = rng.normal(size=(30, 4)).astype(np.float32)
    table = Neighbours(torch.as_tensor(v))
    idx, cos = table.nearest(0, n=5, metric="cosine")
    want = (v @ v[0]) / (np.linalg.norm(v, axis=1) * np.linalg.norm(v[0]))
    want[0] = -np.inf
    np.testing.assert_array_equal(idx, np.argsort(-want)[:5])
    np.testing.assert_allclose(cos, np.sort(want)[::-1][:5], rtol=1e-5)
    idx, dist = table.nearest(0, n=5, metric="euclidean")
    d = np.linalg.norm(v - v[0], axis=1)
    d[0] = np.inf
    np.testing.assert_array_equal(idx, np.argsort(d)[:5])
    np.testing.assert_allclose(dist, np.sort(d)[:5], rtol=1e-4)


def test_min_ratings_filter_and_bad_metric(fitted):
    rec = Recommender(fitted)
    threshold = int(np.median(fitted.item_count))
    idx, _ = rec.similar_items_idx(0, n=50, min_ratings=threshold)
    assert np.all(fitted.item_count[idx] >= threshold)
    with pytest.raises(ValueError, match="unknown metric"):
        rec.similar_items_idx(0, metric="manhattan")


def test_similar_users_excludes_the_user_and_untrained_users(fitted):
    fitted.user_count[3] = 0  # seen only in held-out rows
    ids, scores = Recommender(fitted).similar_users(1, n=fitted.n_users)
    assert 1 not in ids and fitted.users.ids[3] not in ids
    assert len(ids) == fitted.n_users - 2 and np.all(np.diff(scores) <= 1e-6)


def test_the_default_minimum_support_keeps_a_pool_to_choose_from():
    plenty = np.r_[np.full(150, 300), np.arange(1, 51), np.zeros(5)]
    assert neighbour_min_ratings(plenty) == NEIGHBOUR_MIN_RATINGS
    small = np.array([3, 9, 12, 0, 7])  # a tiny catalogue: every rated item stays eligible
    assert neighbour_min_ratings(small) == 3
    assert neighbour_min_ratings(np.zeros(4)) == 0


def test_rarely_rated_items_stay_out_of_the_default_neighbours(fitted, monkeypatch):
    monkeypatch.setattr(recommend, "NEIGHBOUR_POOL", 20)  # the planted catalogue has 40 items
    fitted.item_count = np.asarray(fitted.item_count).copy()
    fitted.item_count[::3] = 2  # a third of the catalogue now barely rated
    rec = Recommender(fitted)
    assert rec.neighbour_min_ratings == NEIGHBOUR_MIN_RATINGS
    idx, _ = rec.similar_items_idx(1, n=20)
    assert len(idx) == 20 and fitted.item_count[idx].min() >= NEIGHBOUR_MIN_RATINGS
    every, _ = rec.similar_items_idx(1, n=39, min_ratings=0)
    assert fitted.item_count[every].min() == 2
