"""A trained model with everything needed to use it later: ids, titles, seen items, statistics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.ids import IdIndex
from cfdesk.core.items import ItemTable
from cfdesk.core.model import CollabModel
from cfdesk.core.ratings import Ratings


@dataclass(frozen=True, eq=False)
class SeenItems:
    """Training items per user as CSR (indptr over user_idx, item_idx values), for exclusion."""

    indptr: np.ndarray  # int64, n_users + 1
    indices: np.ndarray  # int32

    @classmethod
    def from_ratings(cls, ratings: Ratings) -> SeenItems:
        """Group the (user, item) pairs of `ratings` by user."""
        order = np.lexsort((ratings.item_idx, ratings.user_idx))
        counts = np.bincount(ratings.user_idx, minlength=ratings.n_users)
        indptr = np.zeros(ratings.n_users + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(indptr=indptr, indices=ratings.item_idx[order].astype(np.int32))

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
