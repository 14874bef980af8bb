"""The validated ratings container every later step (split, train, results) works on."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from cfdesk.core.data.ids import IdIndex
from cfdesk.core.data.items import ItemTable


@dataclass(frozen=True)
class RatingScale:
    """Smallest and largest rating and the distinct values (up to 50 of them)."""

    low: float
    high: float
    values: tuple[float, ...]

    @property
    def is_discrete(self) -> bool:
        """Star-like scales have a handful of distinct values."""
        return 0 < len(self.values) <= 20


@dataclass(frozen=True, eq=False)
class Groups:
    """Rows grouped by a key (CSR): group g's rows are `order[indptr[g]:indptr[g + 1]]`."""

    indptr: np.ndarray  # int64, n_groups + 1
    order: np.ndarray  # row numbers, grouped by key

    @classmethod
    def of(cls, keys: np.ndarray, n_groups: int, within: np.ndarray | None = None) -> Groups:
        """Group rows by `keys`; inside a group rows follow `within` (else their file order)."""
        order = np.argsort(keys, kind="stable") if within is None else np.lexsort((within, keys))
        indptr = np.zeros(n_groups + 1, dtype=np.int64)
        np.cumsum(np.bincount(keys, minlength=n_groups), out=indptr[1:])
        return cls(indptr, order)

    @property
    def counts(self) -> np.ndarray:
        """Rows per group."""
        return np.diff(self.indptr)

    def rows(self, group: int) -> np.ndarray:
        """Row numbers of one group."""
        return self.order[self.indptr[group] : self.indptr[group + 1]]


@dataclass(frozen=True, eq=False)
class Ratings:
    """Parallel arrays of (user_idx, item_idx, rating[, timestamp]) plus the raw-id maps."""

    user_idx: np.ndarray  # int32
    item_idx: np.ndarray  # int32
    rating: np.ndarray  # float32
    users: IdIndex
    items: IdIndex
    timestamp: np.ndarray | None = None  # int64 seconds, or None
    item_table: ItemTable | None = None
    source: str = ""
    notes: dict = field(
        default_factory=dict, compare=False
    )  # loader facts: duplicates, rejects, format

    def __post_init__(self) -> None:
        n = len(self.rating)
        for name in ("user_idx", "item_idx"):
            arr = getattr(self, name)
            if arr.dtype != np.int32 or arr.shape != (n,):
                raise ValueError(f"{name} must be int32 with {n} entries")
        if self.rating.dtype != np.float32:
            raise ValueError("rating must be float32")
        if self.timestamp is not None and self.timestamp.shape != (n,):
            raise ValueError("timestamp must have one entry per rating")
        if n and (self.user_idx.max() >= len(self.users) or self.item_idx.max() >= len(self.items)):
            raise ValueError("an index is out of range of its id map")
        if self.item_table is not None and len(self.item_table) != len(self.items):
            raise ValueError("the item table must have one row per item")

    def __repr__(self) -> str:
        return (
            f"<Ratings: {self.n_users:,} users × {self.n_items:,} items × "
            f"{self.n_ratings:,} ratings>"
        )

    def __len__(self) -> int:
        return self.n_ratings

    @property
    def n_users(self) -> int:
        return len(self.users)

    @property
    def n_items(self) -> int:
        return len(self.items)

    @property
    def n_ratings(self) -> int:
        return int(self.rating.shape[0])

    @property
    def density(self) -> float:
        """Share of the user × item matrix that is rated."""
        cells = self.n_users * self.n_items
        return self.n_ratings / cells if cells else 0.0

    @property
    def scale(self) -> RatingScale:
        """The rating scale found in the data."""
        if not self.n_ratings:
            return RatingScale(0.0, 0.0, ())
        values = np.unique(self.rating)
        shown = tuple(float(v) for v in values[:50]) if len(values) <= 50 else ()
        return RatingScale(float(values[0]), float(values[-1]), shown)

    def subset(self, mask_or_index: np.ndarray) -> Ratings:
        """Rows selected by a boolean mask or index array; the id maps stay shared."""
        ts = None if self.timestamp is None else self.timestamp[mask_or_index]
        return replace(
            self,
            user_idx=self.user_idx[mask_or_index],
            item_idx=self.item_idx[mask_or_index],
            rating=self.rating[mask_or_index],
            timestamp=ts,
            notes=dict(self.notes),
        )

    def by_user(self, within: np.ndarray | None = None) -> Groups:
        """Rows grouped by user; inside a user by `within` (else in file order)."""
        return Groups.of(self.user_idx, self.n_users, within)

    def by_item(self) -> Groups:
        """Rows grouped by item, in file order inside an item."""
        return Groups.of(self.item_idx, self.n_items)

    def item_counts(self) -> np.ndarray:
        """Number of ratings per item index."""
        return np.bincount(self.item_idx, minlength=self.n_items).astype(np.int64)

    def user_counts(self) -> np.ndarray:
        """Number of ratings per user index."""
        return np.bincount(self.user_idx, minlength=self.n_users).astype(np.int64)

    def item_means(self) -> np.ndarray:
        """Mean rating per item index (NaN for unrated items)."""
        sums = np.bincount(self.item_idx, weights=self.rating, minlength=self.n_items)
        counts = self.item_counts()
        with np.errstate(invalid="ignore", divide="ignore"):
            return (sums / counts).astype(np.float32)


def ratings_from_raw(
    user_ids: np.ndarray,
    item_ids: np.ndarray,
    rating: np.ndarray,
    timestamp: np.ndarray | None = None,
    source: str = "",
) -> Ratings:
    """Build Ratings from raw-id arrays (ids sorted so indices are stable across runs)."""
    users, u_idx = np.unique(np.asarray(user_ids), return_inverse=True)
    items, i_idx = np.unique(np.asarray(item_ids), return_inverse=True)
    return Ratings(
        user_idx=u_idx.astype(np.int32).reshape(-1),
        item_idx=i_idx.astype(np.int32).reshape(-1),
        rating=np.asarray(rating, dtype=np.float32),
        users=IdIndex(users),
        items=IdIndex(items),
        timestamp=None if timestamp is None else np.asarray(timestamp, dtype=np.int64),
        source=source,
    )
