"""Where a model's ratings came from: the file (absolute path), how it was read, and a fingerprint
(size, modification time, counts) that tells whether the file is still the same data."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from cfdesk.core.data.ratings import Ratings

ROLES = ("user", "item", "rating", "timestamp")


@dataclass(frozen=True)
class DataSource:
    """Saved with a model so the app can offer to load the same ratings when it is opened."""

    path: str
    size: int
    mtime: float
    n_users: int
    n_items: int
    n_ratings: int
    columns: dict = field(default_factory=dict)  # role -> column name as the loader read it
    item_file: str | None = None  # the titles/genres file, None when there was none
    skip_bad_rows: bool = False

    @classmethod
    def of(cls, ratings: Ratings, n_ratings: int | None = None) -> DataSource | None:
        """The source of ratings read from a file (None for ratings built in memory).

        `n_ratings` counts every row of the file when `ratings` is a part of it (a training split).
        """
        notes = ratings.notes
        if not ratings.source or "file_size" not in notes:
            return None
        return cls(
            path=str(Path(ratings.source).resolve()),
            size=int(notes["file_size"]),
            mtime=float(notes["file_mtime"]),
            n_users=ratings.n_users,
            n_items=ratings.n_items,
            n_ratings=ratings.n_ratings if n_ratings is None else int(n_ratings),
            columns={r: notes.get("columns", {}).get(r) for r in ROLES},
            item_file=str(Path(notes["item_file"]).resolve()) if notes.get("item_file") else None,
            skip_bad_rows=bool(notes.get("rows_rejected")),
        )

    def to_dict(self) -> dict:
        """Plain JSON for the model file's metadata."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> DataSource | None:
        """Read it back; None for files saved before it existed or with an unusable entry."""
        names = {f.name for f in fields(cls)}
        if not isinstance(data, dict) or not {"path", "size", "mtime"} <= set(data):
            return None
        try:
            source = cls(**{k: v for k, v in data.items() if k in names})
            return source if isinstance(source.columns, dict) else None
        except TypeError:
            return None

    @property
    def name(self) -> str:
        return Path(self.path).name

    def file_problem(self) -> str:
        """Why the file may not be the same data any more ("" when it looks unchanged)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return f"{self.path} is not there any more"
        if stat.st_size != self.size or not math.isclose(stat.st_mtime, self.mtime, abs_tol=1e-3):
            return f"{self.path} has changed since the model was trained (its size or date differ)"
        return ""

    def data_problem(self, ratings: Ratings) -> str:
        """How loaded ratings differ from the ones the model was trained on ("" when they match)."""
        now = (ratings.n_users, ratings.n_items, ratings.n_ratings)
        then = (self.n_users, self.n_items, self.n_ratings)
        if now == then:
            return ""
        return (
            f"{Path(ratings.source).name or 'the loaded data'} has {now[0]:,} users, {now[1]:,} "
            f"items and {now[2]:,} ratings; the model was trained on {then[0]:,}, {then[1]:,} "
            f"and {then[2]:,}"
        )

    def load_options(self) -> dict:
        """load_ratings keyword arguments that read the file as it was read for training."""
        timestamp = self.columns.get("timestamp")
        return {
            "user": self.columns.get("user"),
            "item": self.columns.get("item"),
            "rating": self.columns.get("rating"),
            "timestamp": False if timestamp is None else timestamp,
            "items": self.item_file or False,
            "skip_bad_rows": self.skip_bad_rows,
        }
