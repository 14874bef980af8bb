"""Core test data: planted (known-truth) ratings, u1 loading, and a FittedModel with planted
factors built directly, so results and storage tests need no trainer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.ratings import Ratings, ratings_from_raw
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.model import build_model


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


def star_ratings(n_users: int = 200, n_items: int = 120, seed: int = 0) -> Ratings:
    """Planted ratings rounded onto 1-5 stars: a discrete scale, as the dist model needs."""
    ratings = planted_ratings(n_users, n_items, noise=0.3, seed=seed)
    return replace(ratings, rating=np.clip(np.round(ratings.rating), 1, 5).astype(np.float32))


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


GENRES = ("Drama", "Comedy", "Action")


def make_fitted(
    planted: dict, kind: str = "dotbias", y_range: tuple[float, float] | None = None
) -> FittedModel:
    """Planted truth 3 + u·v/√rank as an exact dot-product model (user bias carries the 3)."""
    torch.manual_seed(0)
    ratings = ratings_from_raw(planted["user_ids"], planted["item_ids"], planted["ratings"])
    u, v = planted["user_vectors"], planted["item_vectors"]
    rank = u.shape[1]
    scale = rank**-0.25
    module = build_model(kind, ratings.n_users, ratings.n_items, n_factors=rank, y_range=y_range)
    with torch.no_grad():
        module.user_factors.weight.copy_(torch.as_tensor(u * scale))
        module.item_factors.weight.copy_(torch.as_tensor(v * scale))
        if kind == "dotbias":
            module.user_bias.weight.fill_(3.0)
            module.item_bias.weight.copy_(torch.linspace(-0.5, 0.5, ratings.n_items)[:, None])
    titles = np.array([f"Item {i}" for i in ratings.items.ids], dtype=object)
    genres = tuple((GENRES[i % 3],) for i in range(ratings.n_items))
    return FittedModel(
        module=module,
        config=TrainConfig(model=kind, n_factors=rank),
        users=ratings.users,
        items=ratings.items,
        seen=SeenItems.from_ratings(ratings),
        item_count=ratings.item_counts(),
        item_mean=ratings.item_means(),
        user_count=ratings.user_counts(),
        rating_range=(float(ratings.rating.min()), float(ratings.rating.max())),
        item_table=ItemTable(titles, genres),
        held_out_users=frozenset({999}),
        held_out_items=frozenset({9999}),
        metrics={"valid_rmse": 0.1},
        dataset_name="planted",
    )


@pytest.fixture
def fitted(planted: dict) -> FittedModel:
    return make_fitted(planted)


@pytest.fixture
def fitted_of(planted: dict):
    """Factory: make_fitted(planted, kind, y_range) for the other model kinds and ranges."""
    return lambda kind="dotbias", y_range=None: make_fitted(planted, kind, y_range)


@pytest.fixture
def bare_fitted(planted: dict) -> FittedModel:
    """Same model without titles or genres (ids only)."""
    model = make_fitted(planted)
    model.item_table = None
    return model


@pytest.fixture
def text_fitted(planted: dict) -> FittedModel:
    """Same model with text item ids ("m101"), for the string-id paths."""
    model = make_fitted(planted)
    model.items = IdIndex(np.array([f"m{i}" for i in model.items.ids], dtype=object))
    return model
