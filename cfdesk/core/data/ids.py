"""Raw ids (as written in the file) <-> contiguous int32 indices, both directions kept."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class IdIndex:
    """Raw ids in index order; `ids[idx]` is the raw id, `index_of(raw)` the index."""

    ids: np.ndarray
    _lookup: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.ids.ndim != 1:
            raise ValueError("ids must be one-dimensional")

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def is_numeric(self) -> bool:
        """Integer ids parse user input as numbers; string ids match as text."""
        return self.ids.dtype.kind in "iu"

    def _map(self) -> dict:
        if not self._lookup:
            self._lookup.update({raw: i for i, raw in enumerate(self.ids.tolist())})
        return self._lookup

    def normalize(self, raw: object) -> object:
        """Turn user input ("42", 42, " 42 ") into the key type this index stores."""
        if self.is_numeric:
            try:
                return int(str(raw).strip())
            except ValueError:
                return None
        return str(raw).strip() if not isinstance(raw, str) else raw

    def index_of(self, raw: object) -> int | None:
        """Index of a raw id, or None when the id is unknown."""
        return self._map().get(self.normalize(raw))

    def indices_of(self, raws: Iterable[object]) -> np.ndarray:
        """Indices of many raw ids, -1 where unknown."""
        lookup = self._map()
        return np.array([lookup.get(self.normalize(r), -1) for r in raws], dtype=np.int64)

    def __contains__(self, raw: object) -> bool:
        return self.index_of(raw) is not None
