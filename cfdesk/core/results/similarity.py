"""Nearest neighbours among embedding vectors (items or users), with cached norms."""

from __future__ import annotations

import numpy as np
import torch

METRICS = ("cosine", "dot", "euclidean")


class Neighbours:
    """Cosine / dot / euclidean neighbours of one row; norms are computed once per table."""

    def __init__(self, vectors: torch.Tensor) -> None:
        self.vectors = vectors.detach().float()
        self._sq_norms: torch.Tensor | None = None
        self._unit: torch.Tensor | None = None

    def __len__(self) -> int:
        return int(self.vectors.shape[0])

    @property
    def sq_norms(self) -> torch.Tensor:
        """Squared lengths, shared by the cosine and euclidean metrics."""
        if self._sq_norms is None:
            self._sq_norms = (self.vectors * self.vectors).sum(dim=1)
        return self._sq_norms

    @property
    def unit(self) -> torch.Tensor:
        """Rows scaled to length 1 (zero rows stay zero), so cosine is one mat-vec."""
        if self._unit is None:
            norms = self.sq_norms.sqrt().clamp_min(1e-12).unsqueeze(1)
            self._unit = self.vectors / norms
        return self._unit

    @torch.no_grad()
    def nearest(
        self,
        row: int,
        n: int = 10,
        metric: str = "cosine",
        allowed: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows most like `row`, never `row` itself: (indices, scores), best first.

        Scores are similarities for "cosine" and "dot" and distances (ascending) for "euclidean".
        `allowed` is an optional boolean mask of rows that may be returned.
        """
        if metric not in METRICS:
            raise ValueError(f"unknown metric {metric!r}; choose one of {', '.join(METRICS)}")
        closeness = self._closeness(row, metric)
        if allowed is not None:
            closeness[~torch.as_tensor(allowed, dtype=torch.bool)] = -torch.inf
        closeness[row] = -torch.inf
        k = min(max(int(n), 0), len(self))
        values, idx = torch.topk(closeness, k)
        keep = torch.isfinite(values)
        values, idx = values[keep], idx[keep]
        if metric == "euclidean":
            values = (-values).clamp_min(0).sqrt()
        return idx.numpy().astype(np.int64), values.numpy()

    def _closeness(self, row: int, metric: str) -> torch.Tensor:
        """Larger is closer; euclidean uses minus the squared distance."""
        if metric == "cosine":
            return self.unit @ self.unit[row]
        dots = self.vectors @ self.vectors[row]
        if metric == "dot":
            return dots
        return -(self.sq_norms - 2 * dots + self.sq_norms[row])
