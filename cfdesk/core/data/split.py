"""Hold-out splits: seeded random, per-user temporal, or a separate test file aligned to training."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from cfdesk.core.atomic import Cancelled, ShouldStop
from cfdesk.core.config import SPLITS, TrainConfig
from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.errors import DataError, TrainingError

UNALIGNED_NOTE = "rows_unknown_to_training"


def _check_stop(should_stop: ShouldStop | None) -> None:
    """Between the steps of a split (each ~1 s on 25M rows): end here when the user stopped."""
    if should_stop is not None and should_stop():
        raise Cancelled("splitting the ratings was cancelled; nothing was trained")


def random_split(
    ratings: Ratings, valid_frac: float, seed: int, should_stop: ShouldStop | None = None
) -> tuple[Ratings, Ratings]:
    """A seeded random fraction of the rows is held out; the id maps stay shared."""
    _check_frac(valid_frac)
    n_valid = int(round(ratings.n_ratings * valid_frac))
    order = np.random.default_rng(seed).permutation(ratings.n_ratings)
    _check_stop(should_stop)
    mask = np.zeros(ratings.n_ratings, dtype=bool)
    mask[order[:n_valid]] = True
    del order
    train = ratings.subset(~mask)
    _check_stop(should_stop)
    return train, ratings.subset(mask)


def temporal_split(
    ratings: Ratings, valid_frac: float, should_stop: ShouldStop | None = None
) -> tuple[Ratings, Ratings]:
    """Each user's latest ratings (by timestamp) are held out, as when predicting the future."""
    _check_frac(valid_frac)
    if ratings.timestamp is None:
        raise DataError(
            f"{ratings.source or 'the ratings'} has no timestamp column, so the temporal split "
            "cannot order ratings; use the random split"
        )
    groups = ratings.by_user(within=ratings.timestamp)
    _check_stop(should_stop)
    order, counts = groups.order, groups.counts
    users = ratings.user_idx[order]
    rank = np.arange(len(order)) - groups.indptr[users]  # 0 = oldest rating of that user
    n_hold = np.floor(counts * valid_frac + 0.5).astype(np.int64)
    n_hold = np.minimum(n_hold, np.maximum(counts - 1, 0))  # keep one rating to learn from
    held = rank >= (counts - n_hold)[users]
    mask = np.zeros(ratings.n_ratings, dtype=bool)
    mask[order[held]] = True
    _check_stop(should_stop)
    train = ratings.subset(~mask)
    _check_stop(should_stop)
    return train, ratings.subset(mask)


def _check_frac(valid_frac: float) -> None:
    if not 0.0 <= valid_frac < 1.0:
        raise TrainingError(f"valid_frac setting {valid_frac} must be at least 0 and below 1")


def _remap(raw_ids: np.ndarray, to: IdIndex) -> np.ndarray:
    """Indices in `to` of raw ids (-1 where unknown), matching ints and strings as text too."""
    if len(to) == 0:
        return np.full(len(raw_ids), -1, dtype=np.int64)
    if to.is_numeric and raw_ids.dtype.kind in "iu":
        sorter = np.argsort(to.ids, kind="stable")
        pos = np.searchsorted(to.ids, raw_ids, sorter=sorter).clip(max=len(to) - 1)
        found = sorter[pos]
        return np.where(to.ids[found] == raw_ids, found, -1)
    return to.indices_of(raw_ids.tolist())


def align_ratings(other: Ratings, to: Ratings) -> tuple[Ratings, int]:
    """`other` re-indexed into `to`'s id space; rows with an unknown user or item are dropped.

    Returns the aligned ratings and the number of dropped rows.
    """
    u = _remap(other.users.ids[other.user_idx], to.users)
    i = _remap(other.items.ids[other.item_idx], to.items)
    keep = (u >= 0) & (i >= 0)
    aligned = Ratings(
        user_idx=u[keep].astype(np.int32),
        item_idx=i[keep].astype(np.int32),
        rating=other.rating[keep],
        users=to.users,
        items=to.items,
        timestamp=None if other.timestamp is None else other.timestamp[keep],
        item_table=to.item_table,
        source=other.source,
        notes={**other.notes, UNALIGNED_NOTE: int((~keep).sum())},
    )
    return aligned, int((~keep).sum())


def known_mask(rows: Ratings, train: Ratings) -> np.ndarray:
    """Rows whose user and item both have training ratings; the rest cannot be judged fairly."""
    seen_users = np.bincount(train.user_idx, minlength=train.n_users) > 0
    seen_items = np.bincount(train.item_idx, minlength=train.n_items) > 0
    return seen_users[rows.user_idx] & seen_items[rows.item_idx]


def prepare_split(
    ratings: Ratings,
    config: TrainConfig,
    test: Ratings | None = None,
    should_stop: ShouldStop | None = None,
) -> tuple[Ratings, Ratings | None, Ratings | None]:
    """(train, valid, test) as the settings ask; a separate test file is aligned to `ratings`.

    `should_stop` is checked between steps: a stop raises Cancelled within about a second even
    for 25M ratings, instead of after the whole split.
    """
    _check_stop(should_stop)
    if config.split == "random":
        train, valid = random_split(ratings, config.valid_frac, config.seed, should_stop)
    elif config.split == "temporal":
        train, valid = temporal_split(ratings, config.valid_frac, should_stop)
    else:
        raise TrainingError(f"split setting {config.split!r} is unknown; use {' or '.join(SPLITS)}")
    _check_stop(should_stop)
    if test is not None and (test.users is not ratings.users or test.items is not ratings.items):
        test, _ = align_ratings(test, ratings)
    if test is not None:
        test = replace(test, item_table=ratings.item_table)
    return train, (valid if valid.n_ratings else None), test
