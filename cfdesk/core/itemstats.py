"""One row per item (id, title, genres, count, mean, bias): the table maps and exports share."""

from __future__ import annotations

import numpy as np
import pandas as pd

from cfdesk.core.fitted import FittedModel


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
