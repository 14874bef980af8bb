"""Recommendations: seen items never come back, filters hold, batches agree with one-by-one."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from cfdesk.core.errors import CfdeskError, UnknownIdError
from cfdesk.core.fitted import SeenItems
from cfdesk.core.results.recommend import Recommender, seen_pairs


def brute_force(fitted, user_idx, allowed):
    """Predicted rating of every allowed unseen item, best first, straight from the module."""
    items = np.flatnonzero(allowed)
    items = np.setdiff1d(items, fitted.seen.of(user_idx))
    pred = fitted.predict(np.full(len(items), user_idx), items)
    order = np.argsort(-pred, kind="stable")
    return items[order], pred[order]


def test_seen_items_never_recommended_for_any_user(fitted):
    rec = Recommender(fitted, popularity_weight=0.0)
    idx, scores = rec.recommend_idx(np.arange(fitted.n_users), n=15, min_ratings=0)
    assert idx.shape == (fitted.n_users, 15)
    for u in range(fitted.n_users):
        kept = idx[u] >= 0
        assert kept.sum() == min(15, fitted.n_items - len(fitted.seen.of(u)))
        assert not set(idx[u][kept]) & set(fitted.seen.of(u).tolist())
        assert np.all(np.diff(scores[u][kept]) <= 1e-6)


def test_top_items_and_scores_match_the_model(fitted):
    rec = Recommender(fitted, popularity_weight=0.0)
    allowed = np.ones(fitted.n_items, bool)
    for u in (0, 7, 33):
        want_idx, want_pred = brute_force(fitted, u, allowed)
        idx, scores = rec.recommend_idx(u, n=5, min_ratings=0)
        np.testing.assert_array_equal(idx, want_idx[:5])
        np.testing.assert_allclose(scores, want_pred[:5], rtol=1e-5)


def test_raw_ids_and_batch_form(fitted):
    rec = Recommender(fitted)
    ids, scores = rec.recommend(5, n=4, min_ratings=0)
    assert ids.shape == (4,) and set(ids) <= set(fitted.items.ids.tolist())
    many, many_scores = rec.recommend([5, 6], n=4, min_ratings=0)
    assert many.shape == (2, 4)
    np.testing.assert_array_equal(many[0], ids)
    np.testing.assert_allclose(many_scores[0], scores)


def test_including_seen_items_can_return_them(fitted):
    rec = Recommender(fitted)
    idx, _ = rec.recommend_idx(0, n=fitted.n_items, exclude_seen=False, min_ratings=0)
    assert len(idx) == fitted.n_items


def test_min_ratings_and_genre_filters(fitted):
    rec = Recommender(fitted)
    threshold = int(np.median(fitted.item_count))
    idx, _ = rec.recommend_idx(3, n=50, min_ratings=threshold)
    assert len(idx) > 0 and np.all(fitted.item_count[idx] >= threshold)
    idx, _ = rec.recommend_idx(3, n=50, min_ratings=0, genres=["Comedy"])
    assert len(idx) > 0 and all(fitted.item_table.genres[i] == ("Comedy",) for i in idx)


def test_fewer_eligible_items_than_n_pads_the_batch_form(fitted):
    rec = Recommender(fitted)
    idx, scores = rec.recommend_idx([0, 1], n=fitted.n_items, min_ratings=0)
    assert (idx == -1).any() and np.isnan(scores[idx == -1]).all()
    one, _ = rec.recommend_idx(0, n=fitted.n_items, min_ratings=0)
    assert len(one) == fitted.n_items - len(fitted.seen.of(0))


def test_genre_filter_without_metadata_or_with_a_typo_says_why(fitted, bare_fitted):
    with pytest.raises(CfdeskError, match="no item metadata"):
        Recommender(bare_fitted).recommend(1, genres="Comedy")
    with pytest.raises(CfdeskError, match="genre 'Comdy' is not .* known genres: "):
        Recommender(fitted).recommend(1, genres=["Comdy"])


def test_popularity_weight_moves_popular_items_up_but_scores_stay_predictions(fitted):
    plain = Recommender(fitted, popularity_weight=0.0)
    strong = Recommender(fitted, popularity_weight=50.0)
    a, _ = plain.recommend_idx(2, n=5, min_ratings=0)
    b, b_scores = strong.recommend_idx(2, n=5, min_ratings=0)
    assert fitted.item_count[b].mean() >= fitted.item_count[a].mean()
    want = fitted.predict(np.full(5, 2), b)
    np.testing.assert_allclose(b_scores, want, rtol=1e-5)


@pytest.mark.parametrize("kind", ["dot", "dotbias", "nn"])
def test_every_model_kind_ranks_like_its_module_on_a_sigmoid_range(fitted_of, kind):
    model = fitted_of(kind, y_range=(0.0, 5.5))
    rec = Recommender(model, popularity_weight=0.0)
    allowed = np.ones(model.n_items, bool)
    for u in (1, 20):
        want_idx, want_pred = brute_force(model, u, allowed)
        idx, scores = rec.recommend_idx(u, n=6, min_ratings=0)
        np.testing.assert_allclose(scores, want_pred[:6], rtol=1e-5)
        assert set(idx) == set(want_idx[:6])
        assert np.all((scores > 0) & (scores < 5.5))


def test_text_item_ids_come_back_as_text(text_fitted):
    ids, _ = Recommender(text_fitted).recommend(1, n=3, min_ratings=0)
    assert all(isinstance(i, str) and i.startswith("m") for i in ids)
    near, _ = Recommender(text_fitted).similar_items("m101", n=3)
    assert "m101" not in near and len(near) == 3


def test_unknown_user_says_never_seen_or_held_out(fitted):
    rec = Recommender(fitted)
    with pytest.raises(UnknownIdError, match="does not occur"):
        rec.recommend(12345)
    with pytest.raises(UnknownIdError, match="held-out"):
        rec.recommend(999)
    with pytest.raises(UnknownIdError, match="held-out"):
        rec.similar_items(9999)


@given(st.lists(st.lists(st.integers(0, 9), max_size=6, unique=True), min_size=1, max_size=8))
def test_seen_pairs_lists_exactly_each_users_items(per_user):
    lengths = [len(items) for items in per_user]
    indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    flat = [i for items in per_user for i in items]
    seen = SeenItems(indptr, np.array(flat, dtype=np.int32))
    users = np.array(list(range(len(per_user)))[::-1], dtype=np.int64)
    rows, cols = seen_pairs(seen, users)
    got = {(int(users[r]), int(c)) for r, c in zip(rows, cols, strict=True)}
    assert got == {(u, i) for u, items in enumerate(per_user) for i in items}
    assert len(rows) == sum(lengths)


@pytest.mark.gpu
def test_cuda_gives_the_cpu_lists(fitted):
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    cpu_idx, cpu_scores = Recommender(fitted).recommend_idx(np.arange(fitted.n_users), n=5)
    gpu_idx, gpu_scores = Recommender(fitted, device="cuda").recommend_idx(
        np.arange(fitted.n_users), n=5
    )
    np.testing.assert_array_equal(cpu_idx, gpu_idx)
    np.testing.assert_allclose(cpu_scores, gpu_scores, rtol=1e-4)


def test_ids_seen_only_in_held_out_rows_are_refused_and_never_recommended(fitted):
    """Held-out-only ids sit in the id map with count 0 and untrained vectors."""
    user, item = fitted.users.ids[5], fitted.items.ids[7]
    fitted.user_count[5] = 0
    fitted.item_count[7] = 0
    fitted.held_out_users = frozenset({user})
    fitted.held_out_items = frozenset({item})
    rec = Recommender(fitted)
    with pytest.raises(UnknownIdError, match="held-out"):
        rec.recommend(user)
    with pytest.raises(UnknownIdError, match="held-out"):
        rec.similar_items(item)
    idx, _ = rec.recommend_idx(np.arange(10), n=fitted.n_items, exclude_seen=False)
    assert 7 not in idx
    near, _ = rec.similar_items_idx(0, n=fitted.n_items)
    assert 7 not in near


def test_the_ranking_score_is_the_prediction_plus_the_popularity_prior(fitted_of):
    """What the Score column promises: raw score (the rating itself without an output range,
    its logit with one) + weight · ln(1 + count), and the list is in that order."""
    for y_range in (None, (0.5, 5.5)):
        fitted = fitted_of(y_range=y_range)
        rec = Recommender(fitted, popularity_weight=1.5, liked_share=None)
        ranked = rec.rank_idx(7, n=10)
        prior = 1.5 * np.log1p(fitted.item_count[ranked.idx])
        raw = ranked.predicted
        if y_range is not None:
            share = (raw - 0.5) / 5.0
            raw = np.log(share / (1 - share))
        np.testing.assert_allclose(ranked.score, raw + prior, rtol=1e-4, atol=1e-4)
        assert list(ranked.score) == sorted(ranked.score, reverse=True)
        assert rec.ranking == "popular-prior w=1.5 no-floor"
        plain = Recommender(fitted, popularity_weight=0.0).rank_idx(7, n=10)
        np.testing.assert_array_equal(plain.score, plain.predicted)
