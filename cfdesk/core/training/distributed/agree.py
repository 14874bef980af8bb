"""Each process loads its own users' rows, then the processes agree on one item index (every
item id any of them saw, sorted) and on whether ids are numbers, and split their rows the way
a single process would. User indices stay local to each part until the model is assembled."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch.distributed as dist

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.loader.part import load_part
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import DataError
from cfdesk.core.training.distributed.comm import Comm


@dataclass(frozen=True, eq=False)
class Part:
    """This process's rows, split, with the figures every process shares."""

    train: Ratings  # this part's users (local indices); every item of the file (global indices)
    valid: Ratings | None
    test: Ratings | None
    n_users: int  # over all parts
    n_train: int  # training ratings over all parts
    item_counts: np.ndarray  # training ratings per item, over all parts
    item_sums: np.ndarray  # sum of training ratings per item, over all parts (float64)
    low: float  # smallest and largest training rating over all parts
    high: float

    @property
    def item_means(self) -> np.ndarray:
        """Mean training rating per item (NaN when unrated), as `Ratings.item_means`."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return (self.item_sums / self.item_counts).astype(np.float32)


def _numeric_everywhere(index: IdIndex, comm: Comm, what: str) -> bool:
    """Ids are numbers only if they are in every part (an empty part does not object)."""
    mine = np.array([int(index.is_numeric or len(index) == 0)], dtype=np.int64)
    return bool(comm.sum_numpy(mine, what, op=dist.ReduceOp.MIN)[0])


def _as_text(index: IdIndex, idx: np.ndarray) -> tuple[IdIndex, np.ndarray]:
    """The same ids as text, sorted as text (what a single process does when any id is text)."""
    texts, inverse = np.unique(index.ids.astype(str).astype(object), return_inverse=True)
    return IdIndex(texts), inverse.reshape(-1).astype(np.int32)[idx]


def agree_ids(local: Ratings, comm: Comm) -> Ratings:
    """`local` with user ids typed as every part types them and the job's one item index."""
    users, user_idx = local.users, local.user_idx
    if not _numeric_everywhere(users, comm, "the id agreement"):
        users, user_idx = _as_text(users, user_idx) if users.is_numeric else (users, user_idx)
    items, item_idx = local.items, local.item_idx
    numeric = _numeric_everywhere(items, comm, "the id agreement")
    if not numeric and items.is_numeric:
        items, item_idx = _as_text(items, item_idx)
    seen = [ids for ids in comm.all_gather_object(items.ids, "the id agreement") if len(ids)]
    every = np.unique(np.concatenate(seen)) if seen else np.zeros(0, dtype=np.int64)
    every = every.astype(np.int64) if numeric else every.astype(object)
    global_idx = np.searchsorted(every, items.ids).astype(np.int32)
    return replace(
        local, users=users, user_idx=user_idx, items=IdIndex(every),
        item_idx=global_idx[item_idx] if len(item_idx) else item_idx,
    )  # fmt: skip


def load_parts(
    path: str | Path, config: TrainConfig, comm: Comm, test_path: str | Path | None = None
) -> Part:
    """Load, agree and split this process's part of `path` (and of the test file)."""
    local = load_part(path, comm.rank, comm.size)
    total = comm.sum_numpy(np.array([local.n_ratings], dtype=np.int64), "the id agreement")
    if not total[0]:
        raise DataError(f"{path} has no rating rows.")
    ratings = agree_ids(local, comm)
    test = load_part(test_path, comm.rank, comm.size) if test_path else None
    train, valid, test = prepare_split(ratings, config, test)
    n = train.n_items
    counts = np.bincount(train.item_idx, minlength=n).astype(np.int64)
    sums = np.bincount(train.item_idx, weights=train.rating, minlength=n)
    low = train.rating.min() if train.n_ratings else np.inf
    high = train.rating.max() if train.n_ratings else -np.inf
    per_rank = np.array([train.n_users, train.n_ratings], dtype=np.int64)
    n_users, n_train = comm.sum_numpy(per_rank, "the statistics")
    return Part(
        train=train,
        valid=valid,
        test=test,
        n_users=int(n_users),
        n_train=int(n_train),
        item_counts=comm.sum_numpy(counts, "the statistics"),
        item_sums=comm.sum_numpy(sums, "the statistics"),
        low=float(comm.sum_numpy(np.array([low]), "the statistics", op=dist.ReduceOp.MIN)[0]),
        high=float(comm.sum_numpy(np.array([high]), "the statistics", op=dist.ReduceOp.MAX)[0]),
    )
