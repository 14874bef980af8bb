"""Facts per item (id, title, genres, count, mean, bias) that maps, tables and exports share, and
the items liked or disliked beyond what taste explains (both ends of the learned bias)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cfdesk.core.fitted import FittedModel

BIAS_COLUMNS = ["item_id", "title", "bias", "count", "mean"]


def item_titles(fitted: FittedModel) -> np.ndarray | None:
    """Titles per item index, or None when the model has no metadata."""
    if fitted.item_table is None:
        return None
    return np.array([fitted.item_title(i) for i in range(fitted.n_items)], dtype=object)


def item_biases(fitted: FittedModel) -> np.ndarray | None:
    """Learned item biases as numpy, or None for models without them."""
    bias = fitted.module.item_biases()
    return None if bias is None else bias.detach().float().numpy().copy()


def item_frame(fitted: FittedModel) -> pd.DataFrame:
    """item_id, title, genres ("A|B"), count, mean and bias (NaN without one) per item index."""
    titles = item_titles(fitted)
    genres = (
        ["|".join(g) for g in fitted.item_table.genres]
        if fitted.item_table is not None
        else [""] * fitted.n_items
    )
    bias = item_biases(fitted)
    return pd.DataFrame(
        {
            "item_id": fitted.items.ids,
            "title": titles if titles is not None else fitted.items.ids.astype(str),
            "genres": genres,
            "count": np.asarray(fitted.item_count, dtype=np.int64),
            "mean": np.asarray(fitted.item_mean, dtype=np.float64),
            "bias": bias if bias is not None else np.full(fitted.n_items, np.nan),
        }
    )


@dataclass(frozen=True, eq=False)
class BiasExtremes:
    """Both ends of the item-bias ranking; empty frames plus `reason` when there is no bias."""

    lowest: pd.DataFrame
    highest: pd.DataFrame
    reason: str = ""


def bias_extremes(fitted: FittedModel, n: int = 15, min_ratings: int = 0) -> BiasExtremes:
    """The n items with the lowest and the highest bias, with rating count and mean beside them."""
    frame = item_frame(fitted)
    if fitted.module.item_biases() is None:
        empty = pd.DataFrame(columns=BIAS_COLUMNS)
        reason = (
            f"the {fitted.module.kind!r} model has no item biases; "
            "train the 'dotbias' model to rank items by bias"
        )
        return BiasExtremes(empty, empty.copy(), reason)
    frame = frame[frame["count"] >= min_ratings][BIAS_COLUMNS]
    ordered = frame.sort_values(["bias", "item_id"], kind="stable")
    lowest = ordered.head(n).reset_index(drop=True)
    highest = ordered.iloc[::-1].head(n).reset_index(drop=True)
    return BiasExtremes(lowest, highest)
