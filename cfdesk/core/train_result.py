"""Turn a finished (or stopped) training run into a FittedModel with every field filled."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np

from cfdesk.core.config import TrainConfig
from cfdesk.core.fitted import FittedModel, SeenItems
from cfdesk.core.model import CollabModel
from cfdesk.core.ratings import Ratings


def _held_out_only(ids: np.ndarray, train_counts: np.ndarray) -> frozenset:
    """Raw ids in the id map that training never saw (they appear only in held-out rows)."""
    return frozenset(ids[train_counts == 0].tolist())


def best_epoch(history: list) -> int:
    """The last epoch marked best (EpochReports), 0 when none finished."""
    best = [r.epoch for r in history if r.is_best]
    return best[-1] if best else 0


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
    )
