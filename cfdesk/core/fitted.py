"""A trained model with everything needed to use it later: ids, titles, seen items, statistics,
and how a finished (or stopped) training run becomes one."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.items import ItemTable
from cfdesk.core.data.provenance import DataSource
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.model import CollabModel


@dataclass(frozen=True, eq=False)
class SeenItems:
    """Training items per user as CSR (indptr over user_idx, item_idx values), for exclusion."""

    indptr: np.ndarray  # int64, n_users + 1
    indices: np.ndarray  # int32

    @classmethod
    def from_ratings(cls, ratings: Ratings) -> SeenItems:
        """Group the (user, item) pairs of `ratings` by user."""
        groups = ratings.by_user(within=ratings.item_idx)
        return cls(indptr=groups.indptr, indices=ratings.item_idx[groups.order].astype(np.int32))

    def of(self, user_idx: int) -> np.ndarray:
        """Item indices one user rated in training."""
        return self.indices[self.indptr[user_idx] : self.indptr[user_idx + 1]]


@dataclass(eq=False)
class FittedModel:
    """The result of training (or of opening a model file); everything lives on the CPU."""

    module: CollabModel
    config: TrainConfig
    users: IdIndex
    items: IdIndex
    seen: SeenItems
    item_count: np.ndarray  # training ratings per item index
    item_mean: np.ndarray  # mean training rating per item index (NaN when unrated)
    user_count: np.ndarray  # training ratings per user index
    rating_range: tuple[float, float]
    item_table: ItemTable | None = None
    held_out_users: frozenset = frozenset()  # raw ids seen only in validation/test rows
    held_out_items: frozenset = frozenset()
    history: list[dict] = field(default_factory=list)  # one dict per epoch report
    metrics: dict = field(default_factory=dict)  # final figures: rmse, baselines, timings
    dataset_name: str = ""
    data_source: DataSource | None = None  # the ratings file, to offer reloading it with the model

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    def item_title(self, item_idx: int) -> str:
        """Title when metadata exists, else the raw id as text."""
        fallback = str(self.items.ids[item_idx])
        return self.item_table.title(item_idx, fallback) if self.item_table else fallback

    @torch.no_grad()
    def predict(self, user_idx: np.ndarray, item_idx: np.ndarray) -> np.ndarray:
        """Predicted ratings for index pairs (CPU, eval mode)."""
        self.module.eval()
        u = torch.as_tensor(np.asarray(user_idx, dtype=np.int64))
        i = torch.as_tensor(np.asarray(item_idx, dtype=np.int64))
        return self.module(u, i).float().numpy()


def _held_out_only(ids: np.ndarray, train_counts: np.ndarray) -> frozenset:
    """Raw ids in the id map that training never saw (they appear only in held-out rows)."""
    return frozenset(ids[train_counts == 0].tolist())


def rated_rows(train: Ratings, valid: Ratings | None) -> Ratings:
    """Every row of the user's ratings file (training and validation): recommendations must
    not suggest an item the user already rated, even one held out to measure the model."""
    if valid is None or not valid.n_ratings:
        return train
    return replace(
        train,
        user_idx=np.concatenate([train.user_idx, valid.user_idx]),
        item_idx=np.concatenate([train.item_idx, valid.item_idx]),
        rating=np.concatenate([train.rating, valid.rating]),
        timestamp=None,
    )


def build_fitted(
    module: CollabModel,
    config: TrainConfig,
    train: Ratings,
    history: list[dict],
    metrics: dict,
    valid: Ratings | None = None,
) -> FittedModel:
    """A CPU copy of the model plus ids and statistics from the training rows; seen items
    also include `valid` (rows of the same file, sharing the id maps)."""
    cpu = copy.deepcopy(module).cpu().eval()
    for param in cpu.parameters():
        param.requires_grad_(False)
    user_count = train.user_counts()
    item_count = train.item_counts()
    scale = train.scale
    n_rows = train.n_ratings + (valid.n_ratings if valid is not None else 0)
    return FittedModel(
        module=cpu,
        config=config,
        users=train.users,
        items=train.items,
        seen=SeenItems.from_ratings(rated_rows(train, valid)),
        item_count=item_count,
        item_mean=train.item_means(),
        user_count=user_count,
        rating_range=(scale.low, scale.high),
        item_table=train.item_table,
        held_out_users=_held_out_only(train.users.ids, user_count),
        held_out_items=_held_out_only(train.items.ids, item_count),
        history=[dict(row) for row in history],
        metrics=dict(metrics),
        dataset_name=Path(train.source).name if train.source else "",
        data_source=DataSource.of(train, n_rows),
    )
