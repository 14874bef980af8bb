"""DatasetSummary figures on known data and on MovieLens 100k."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.data.summary import summarize


def test_small_known_dataset() -> None:
    ratings = ratings_from_raw(
        np.array([1, 1, 1, 2, 3]), np.array([10, 20, 30, 10, 10]), np.array([5, 4, 4, 1, 5])
    )
    s = summarize(ratings)
    assert (s.n_users, s.n_items, s.n_ratings) == (3, 3, 5)
    assert s.density == 5 / 9
    assert (s.rating_min, s.rating_max, s.rating_mean) == (1.0, 5.0, 3.8)
    assert s.hist_values.tolist() == [1.0, 4.0, 5.0] and s.hist_counts.tolist() == [1, 2, 2]
    assert s.item_counts_sorted.tolist() == [3, 1, 1]
    assert s.user_counts_sorted.tolist() == [3, 1, 1]
    assert s.per_user["max"] == 3 and s.per_user["median"] == 1
    assert s.n_items_with_metadata == 0 and not s.has_timestamps


def test_continuous_scale_gets_binned_histogram() -> None:
    rng = np.random.default_rng(0)
    n = 500
    ratings = ratings_from_raw(rng.integers(0, 20, n), np.arange(n), rng.normal(size=n))
    s = summarize(ratings)
    assert len(s.hist_values) == 20 and s.hist_counts.sum() == n


def test_movielens_100k_summary(ml100k: Path) -> None:
    s = summarize(load_ratings(ml100k / "u.data"))
    d = s.to_dict()
    assert (d["n_users"], d["n_items"], d["n_ratings"]) == (943, 1682, 100_000)
    assert abs(d["density"] - 100_000 / (943 * 1682)) < 1e-12
    assert d["n_items_with_metadata"] == 1682
    assert d["histogram"] == {"1": 6110, "2": 11370, "3": 27145, "4": 34174, "5": 21201}
    assert d["ratings_per_user"]["min"] == 20  # ML-100k keeps users with 20+ ratings
    assert d["ratings_per_item"]["max"] == 583  # Star Wars
    assert s.item_counts_sorted[0] == 583 and s.item_counts_sorted[-1] == 1
    text = "\n".join(s.lines())
    assert "943 users × 1,682 items × 100,000 ratings" in text
    assert "1,682 of 1,682 items" in text
