"""How the map colours and sizes points: categories for genres, quantile bins for numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from PySide6.QtGui import QColor

COLOR_BY = {"genre": "Genre", "bias": "Bias", "count": "Popularity", "mean": "Mean rating"}
# Tableau-like categories: distinct on light and dark backgrounds.
CATEGORICAL = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#8c6bb1",
)  # fmt: skip
# Viridis at six steps, dark purple (low) to yellow (high).
SEQUENTIAL = ("#440154", "#414487", "#2a788e", "#22a884", "#7ad151", "#fde725")
OTHER = "#b0b0b0"
MAX_GENRES = len(CATEGORICAL)


@dataclass(frozen=True)
class Colouring:
    """Per-point category code, one colour and one legend label per code."""

    codes: np.ndarray  # int, one per item
    colors: tuple[QColor, ...]
    labels: tuple[str, ...]


def by_genre(genres: pd.Series) -> Colouring:
    """Each item's first genre; genres past the twelfth most common share a grey 'other'."""
    first = pd.Series([g.partition("|")[0] for g in genres.astype(str).tolist()])
    ranked = first[first != ""].value_counts().index.tolist()
    shown = ranked[:MAX_GENRES]
    codes = pd.Index(shown).get_indexer(first).astype(np.int64)
    labels = list(shown)
    colors = [QColor(c) for c in CATEGORICAL[: len(shown)]]
    if (codes < 0).any():
        codes[codes < 0] = len(shown)
        labels.append("other" if len(ranked) > MAX_GENRES else "no genre")
        colors.append(QColor(OTHER))
    return Colouring(codes, tuple(colors), tuple(labels))


def by_number(values: np.ndarray, fmt: str) -> Colouring:
    """Six quantile bins (so skewed counts still use every colour); NaN gets grey."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    edges = np.unique(np.quantile(values[finite], np.linspace(0, 1, 7))) if finite.any() else []
    if len(edges) < 2:
        edges = np.array([0.0, 1.0]) if not finite.any() else np.array([values[finite][0]] * 2)
    inner = edges[1:-1]
    codes = np.searchsorted(inner, values, side="right").astype(np.int64)
    n_bins = len(edges) - 1
    steps = np.linspace(0, len(SEQUENTIAL) - 1, max(n_bins, 1)).round().astype(int)
    colors = [QColor(SEQUENTIAL[s]) for s in steps]
    labels = [
        f"{fmt.format(lo)} – {fmt.format(hi)}" for lo, hi in zip(edges, edges[1:], strict=False)
    ]
    if not finite.all():
        codes[~finite] = n_bins
        colors.append(QColor(OTHER))
        labels.append("no value")
    return Colouring(codes, tuple(colors), tuple(labels))


def colouring(items: pd.DataFrame, by: str) -> Colouring:
    """The colouring for one COLOR_BY key."""
    if by == "genre":
        return by_genre(items["genres"])
    if by == "count":
        return by_number(items["count"].to_numpy(), "{:,.0f}")
    if by == "bias":
        return by_number(items["bias"].to_numpy(), "{:+.2f}")
    return by_number(items["mean"].to_numpy(), "{:.2f}")


def point_sizes(counts: np.ndarray, smallest: int = 3, largest: int = 12) -> np.ndarray:
    """Area grows with log popularity; whole pixel sizes keep pyqtgraph's symbol atlas tiny."""
    logs = np.log1p(np.asarray(counts, dtype=np.float64))
    top = logs.max() if len(logs) and logs.max() > 0 else 1.0
    return np.round(smallest + (largest - smallest) * np.sqrt(logs / top)).astype(np.float64)


def with_alpha(color: QColor, alpha: int) -> QColor:
    """A copy of `color` with another opacity (legend and label backgrounds)."""
    out = QColor(color)
    out.setAlpha(alpha)
    return out
