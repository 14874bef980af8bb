"""A FittedModel with planted factors, built directly so results tests need no trainer."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.ids import IdIndex
from cfdesk.core.items import ItemTable
from cfdesk.core.model import build_model
from cfdesk.core.ratings import ratings_from_raw

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
