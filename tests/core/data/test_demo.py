"""Demo data: deterministic, ML-100k-sized, long-tailed, genre-structured, read by the loader."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cfdesk.core.data import demo
from cfdesk.core.data.loader import load_ratings


@pytest.fixture(scope="module")
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    return demo.generate_demo(seed=0)


def test_same_seed_same_data_other_seed_other_data(frames) -> None:
    ratings, items = frames
    again, again_items = demo.generate_demo(seed=0)
    pd.testing.assert_frame_equal(ratings, again)
    pd.testing.assert_frame_equal(items, again_items)
    assert not demo.generate_demo(seed=1)[0]["rating"].equals(ratings["rating"])


def test_movielens_100k_shape_and_star_scale(frames) -> None:
    ratings, items = frames
    assert ratings["user_id"].nunique() == 943
    assert ratings["item_id"].nunique() == len(items) == 1682
    assert 95_000 <= len(ratings) <= 105_000
    assert set(ratings["rating"].unique()) == {1, 2, 3, 4, 5}
    assert 3.2 < ratings["rating"].mean() < 3.8
    assert not ratings.duplicated(["user_id", "item_id"]).any()
    assert ratings.groupby("user_id").size().min() >= 20


def test_popularity_has_a_long_tail(frames) -> None:
    counts = np.sort(frames[0]["item_id"].value_counts().to_numpy())[::-1]
    top_tenth = counts[: len(counts) // 10].sum() / counts.sum()
    assert top_tenth > 0.3
    assert counts[0] > 20 * np.median(counts[len(counts) // 2 :])


def test_titles_are_distinct_with_years_and_one_to_three_genres(frames) -> None:
    items = frames[1]
    assert items["title"].is_unique
    assert items["title"].str.fullmatch(r"[A-Z][\w\s'-]+ \(19\d\d\)").all()
    genres = items["genres"].str.split("|")
    assert genres.map(len).between(1, 3).all()
    assert set(genres.explode()) == set(demo.GENRES)


def _als(u, i, y, n_users, n_items, k=16, lam=3.0, sweeps=8):
    """Plain ALS on bias-free residuals: a stand-in for the app's trainer."""
    mu = y.mean()
    item_bias = np.bincount(i, y - mu, n_items) / (np.bincount(i, minlength=n_items) + 5)
    res = y - mu - item_bias[i]
    rng = np.random.default_rng(0)
    U, V = rng.normal(0, 0.1, (n_users, k)), rng.normal(0, 0.1, (n_items, k))
    for _ in range(sweeps):
        for a_idx, b_idx, A, B in ((u, i, U, V), (i, u, V, U)):
            order = np.argsort(a_idx, kind="stable")
            starts = np.searchsorted(a_idx[order], np.arange(len(A) + 1))
            for a in range(len(A)):
                rows = order[starts[a] : starts[a + 1]]
                X = B[b_idx[rows]]
                A[a] = np.linalg.solve(X.T @ X + lam * np.eye(k), X.T @ res[rows])
    return mu, item_bias, V


def test_a_few_high_ratings_for_one_genre_recommend_that_genre(frames) -> None:
    ratings, items = frames
    u, i = ratings["user_id"].to_numpy() - 1, ratings["item_id"].to_numpy() - 1
    mu, item_bias, V = _als(u, i, ratings["rating"].to_numpy(float), 943, 1682)
    genres = items["genres"].str.split("|").tolist()
    popular = np.argsort(-np.bincount(i, minlength=1682))
    shares = []
    for genre in demo.GENRES:
        liked = [j for j in popular if genres[j][0] == genre][:30]
        picks = np.random.default_rng(1).choice(liked, 5, replace=False)
        X = V[picks]
        user = np.linalg.solve(X.T @ X + 0.5 * np.eye(16), X.T @ (5 - mu - item_bias[picks]))
        scores = mu + item_bias + V @ user
        scores[picks] = -np.inf
        top = np.argsort(-scores)[:10]
        shares.append(np.mean([genre in genres[j] for j in top]))
    assert np.median(shares) >= 0.7
    assert np.mean(shares) >= 0.7  # a random pick would give about 0.15


def test_round_trip_through_the_loader(tmp_path: Path, frames) -> None:
    path = demo.write_demo(tmp_path / "out", seed=0)
    assert path == tmp_path / "out" / "ratings.csv"
    loaded = load_ratings(path)
    assert (loaded.n_users, loaded.n_items, loaded.n_ratings) == (943, 1682, len(frames[0]))
    assert loaded.timestamp is not None
    assert loaded.item_table.n_with_metadata == 1682
    first = frames[1].iloc[0]
    idx = loaded.items.index_of(int(first["item_id"]))
    assert loaded.item_table.title(idx) == first["title"]
    assert "|".join(loaded.item_table.genres[idx]) == first["genres"]


def test_cached_demo_honours_cfdesk_data_dir_and_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CFDESK_DATA_DIR", str(tmp_path / "data"))
    path = demo.demo_ratings_path()
    assert path == tmp_path / "data" / "demo" / "ratings.csv"
    stamp = path.stat().st_mtime_ns
    assert demo.demo_ratings_path() == path
    assert path.stat().st_mtime_ns == stamp
    (path.parent / "demo.json").write_text('{"version": -1}')
    demo.demo_ratings_path()  # a stale generator version is regenerated
    assert json.loads((path.parent / "demo.json").read_text())["version"] == demo.DEMO_VERSION


def test_platform_data_dir_without_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CFDESK_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", "/xdg")
    monkeypatch.setattr(demo.sys, "platform", "linux")
    assert demo.data_dir() == Path("/xdg/cfdesk")
