"""Item metadata (titles, genres) aligned with a Ratings' item index."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class ItemTable:
    """Titles and genres per item index; items without metadata have an empty title and no genres."""

    titles: np.ndarray  # object array of str, one per item index
    genres: tuple[tuple[str, ...], ...]  # one tuple of genre names per item index
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.titles) != len(self.genres):
            raise ValueError("titles and genres must have one entry per item")

    def __len__(self) -> int:
        return len(self.titles)

    @property
    def n_with_metadata(self) -> int:
        """Items the metadata file named (non-empty title)."""
        return int(sum(1 for t in self.titles if t))

    @property
    def genre_names(self) -> tuple[str, ...]:
        """All genres, most frequent first."""
        counts: dict[str, int] = {}
        for gs in self.genres:
            for g in gs:
                counts[g] = counts.get(g, 0) + 1
        return tuple(sorted(counts, key=lambda g: (-counts[g], g)))

    def genre_mask(self, genres: object) -> np.ndarray:
        """Boolean mask of items that have at least one of `genres`."""
        wanted = {genres} if isinstance(genres, str) else set(genres)
        return np.array([bool(wanted.intersection(gs)) for gs in self.genres], dtype=bool)

    def title(self, item_idx: int, fallback: str = "") -> str:
        """Title of one item, or `fallback` when the metadata does not name it."""
        return str(self.titles[item_idx]) or fallback
