"""Synthetic data and u1 loading for the training tests (no project files needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.ratings import Ratings, ratings_from_raw


def planted_ratings(
    n_users: int = 300, n_items: int = 200, rank: int = 3, noise: float = 0.3, seed: int = 0
) -> Ratings:
    """Ratings from a known rank-`rank` taste model plus Gaussian noise of std `noise`."""
    rng = np.random.default_rng(seed)
    u = rng.normal(size=(n_users, rank))
    v = rng.normal(size=(n_items, rank))
    truth = 3.0 + 0.8 * u @ v.T / np.sqrt(rank)
    users, items = np.nonzero(rng.random((n_users, n_items)) < 0.5)
    values = truth[users, items] + rng.normal(scale=noise, size=len(users))
    stamps = rng.integers(0, 10**6, size=len(users))
    return ratings_from_raw(users + 1, items + 1001, values.astype(np.float32), stamps, "planted")


@pytest.fixture
def planted_big() -> Ratings:
    """30,000 ratings from a rank-3 model with noise std 0.3."""
    return planted_ratings()


@pytest.fixture
def tiny() -> Ratings:
    """About 1,200 ratings: trains a few epochs in a blink."""
    return planted_ratings(60, 40, noise=0.3)


@pytest.fixture
def quick() -> TrainConfig:
    """Few epochs on the CPU, small model."""
    return TrainConfig(n_factors=8, epochs=3, batch_size=128, lr_batch=128, device="cpu")


def read_u(path) -> Ratings:
    """MovieLens u*.base / u*.test: tab separated user, item, rating, timestamp."""
    df = pd.read_csv(path, sep="\t", header=None, names=["u", "i", "r", "t"])
    return ratings_from_raw(df.u.values, df.i.values, df.r.values, df.t.values, str(path))
