"""Deterministic 2-D/3-D PCA of item factors: the map of items and names for its axes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cfdesk.core.errors import CfdeskError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.item_facts import item_frame

DEFAULT_FIT_ON = 1000  # the book fits on the 1,000 most-rated films: rare items are noise


@dataclass(frozen=True, eq=False)
class Pca:
    """Centred SVD with each component's largest-magnitude loading made positive."""

    mean: np.ndarray  # (d,)
    components: np.ndarray  # (k, d), rows are unit vectors
    explained_ratio: np.ndarray  # (k,), share of the fitted rows' variance

    def transform(self, vectors: np.ndarray) -> np.ndarray:
        """Coordinates (n, k) of any vectors in this basis."""
        return (np.asarray(vectors, dtype=np.float64) - self.mean) @ self.components.T


def fit_pca(vectors: np.ndarray, n_components: int = 2) -> Pca:
    """PCA whose signs are fixed, so repeated runs and retrained-but-equal models give one map."""
    x = np.asarray(vectors, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < n_components:
        raise CfdeskError(
            f"a {n_components}-D map needs at least 2 items with {n_components} or more factors; "
            f"got {x.shape[0]} items × {x.shape[1] if x.ndim == 2 else 0} factors"
        )
    mean = x.mean(axis=0)
    _, s, vt = np.linalg.svd(x - mean, full_matrices=False)
    components = vt[:n_components].copy()
    strongest = np.abs(components).argmax(axis=1)
    signs = np.sign(components[np.arange(n_components), strongest])
    components *= np.where(signs == 0, 1.0, signs)[:, None]
    total = float((s**2).sum())
    explained = (s[:n_components] ** 2) / total if total > 0 else np.zeros(n_components)
    return Pca(mean, components, explained)


@dataclass(frozen=True, eq=False)
class ItemMap:
    """Every item placed on the fitted components, ready to plot, plus names for each axis end."""

    frame: pd.DataFrame  # item_idx, item_id, title, genres, count, mean, bias, in_fit, pc1..pck
    pca: Pca
    axis_ends: dict[str, tuple[list[str], list[str]]]  # "pc1" -> (low-end titles, high-end)

    @property
    def explained_ratio(self) -> np.ndarray:
        return self.pca.explained_ratio


def most_rated(fitted: FittedModel, n: int | None) -> np.ndarray:
    """Indices of the n most-rated items (ties by index), or all items when n is None."""
    counts = np.asarray(fitted.item_count)
    order = np.lexsort((np.arange(len(counts)), -counts))
    return order if n is None else order[: min(int(n), len(order))]


def item_map(
    fitted: FittedModel,
    n_components: int = 2,
    fit_on: int | None = DEFAULT_FIT_ON,
    n_ends: int = 5,
) -> ItemMap:
    """Fit PCA on the `fit_on` most-rated items (None = all), then project every item."""
    if n_components not in (2, 3):
        raise CfdeskError(f"the item map has 2 or 3 dimensions, not {n_components}")
    vectors = fitted.module.item_embeddings().detach().float().numpy()
    rows = most_rated(fitted, fit_on)
    pca = fit_pca(vectors[rows], n_components)
    frame = item_frame(fitted)
    frame.insert(0, "item_idx", np.arange(fitted.n_items))
    frame["in_fit"] = np.isin(frame["item_idx"], rows)
    coords = pca.transform(vectors)
    names = [f"pc{c + 1}" for c in range(n_components)]
    for c, name in enumerate(names):
        frame[name] = coords[:, c]
    return ItemMap(frame, pca, _axis_ends(frame.iloc[rows], names, n_ends))


def _axis_ends(
    fitted_rows: pd.DataFrame, names: list[str], n_ends: int
) -> dict[str, tuple[list[str], list[str]]]:
    """Titles at the low and high end of each component, among the items the PCA was fit on."""
    ends = {}
    for name in names:
        ordered = fitted_rows.sort_values([name, "item_idx"], kind="stable")["title"].astype(str)
        ends[name] = (ordered.head(n_ends).tolist(), ordered.iloc[::-1].head(n_ends).tolist())
    return ends
