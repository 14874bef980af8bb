"""Ranking metrics: hand-computed values, threshold scaling, baseline and model on planted data."""

from __future__ import annotations

import numpy as np
import pytest

from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.results.topn_metrics import (
    evaluate_popularity,
    evaluate_recommender,
    gini,
    ranking_metrics,
    relevance_threshold,
    relevant_items,
    spread,
)


def test_metrics_match_a_hand_computed_case():
    recommended = np.array([[5, 1, 9], [2, 3, -1]])
    relevant = [np.array([1, 7]), np.array([4])]
    p, r, ndcg = ranking_metrics(recommended, relevant, k=3)
    assert p == pytest.approx((1 / 3 + 0) / 2)
    assert r == pytest.approx((1 / 2 + 0) / 2)
    ideal = 1 + 1 / np.log2(3)
    assert ndcg == pytest.approx((1 / np.log2(3)) / ideal / 2)


def test_perfect_list_scores_one():
    p, r, ndcg = ranking_metrics(np.array([[3, 4]]), [np.array([4, 3])], k=2)
    assert (p, r, ndcg) == (1.0, 1.0, pytest.approx(1.0))


def test_threshold_scales_with_the_rating_range():
    assert relevance_threshold((1.0, 5.0)) == 4.0
    assert relevance_threshold((0.5, 10.5)) == 8.0


def test_unknown_test_users_are_dropped_and_unknown_items_stay_unreachable(fitted):
    ids = fitted.users.ids
    test = ratings_from_raw(
        np.array([ids[0], ids[0], 777, ids[1]]),
        np.array([fitted.items.ids[0], 5555, fitted.items.ids[1], fitted.items.ids[2]]),
        np.array([5.0, 5.0, 5.0, 2.0], dtype=np.float32),
    )
    users, relevant = relevant_items(fitted, test, 4.0)
    assert list(users) == [0]
    assert len(relevant[0]) == 2 and 0 in relevant[0] and relevant[0].min() < 0


def planted_test_split(fitted, planted):
    """Held-out cells of the planted matrix with their true ratings."""
    truth = planted["truth"]
    seen = np.zeros_like(truth, dtype=bool)
    for u in range(fitted.n_users):
        seen[u, fitted.seen.of(u)] = True
    users, items = np.nonzero(~seen)
    return ratings_from_raw(
        fitted.users.ids[users], fitted.items.ids[items], truth[users, items].astype(np.float32)
    )


def test_exact_model_beats_popularity_on_planted_data(fitted, planted):
    test = planted_test_split(fitted, planted)
    model = evaluate_recommender(Recommender(fitted, popularity_weight=0.0), test, k=5)
    baseline = evaluate_popularity(fitted, test, k=5)
    assert model.n_users == baseline.n_users > 0
    assert model.ndcg > baseline.ndcg and model.ndcg > 0.9


def test_gini_and_spread_on_hand_made_lists():
    assert gini(np.array([3, 3, 3, 3])) == pytest.approx(0.0)
    assert gini(np.array([0, 0, 0, 8])) == pytest.approx(0.75)  # (n-1)/n: one item has it all
    lists = np.array([[0, 1], [0, 2], [0, -1]])
    used = spread(lists, np.array([True, True, True, True, False]))
    assert used.distinct == 3 and used.coverage == pytest.approx(3 / 4)
    assert used.top_share == pytest.approx(1.0)  # item 0 is in every list
    assert used.gini == pytest.approx(gini(np.array([3, 1, 1, 0])))


def test_a_popularity_prior_narrows_the_catalogue_the_lists_use(fitted, planted):
    """The trade-off the report exists to show: popularity lists repeat the same items."""
    test = planted_test_split(fitted, planted)
    plain = evaluate_recommender(Recommender(fitted, popularity_weight=0.0), test, k=5)
    heavy = evaluate_recommender(Recommender(fitted, popularity_weight=50.0), test, k=5)
    baseline = evaluate_popularity(fitted, test, k=5)
    assert baseline.coverage < plain.coverage and baseline.gini > plain.gini
    assert heavy.coverage <= plain.coverage and heavy.top_share >= plain.top_share
    assert 0 < plain.distinct <= fitted.n_items
