"""Items with the lowest and highest learned bias: liked or disliked beyond what taste explains."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cfdesk.core.fitted import FittedModel
from cfdesk.core.itemstats import item_frame

COLUMNS = ["item_id", "title", "bias", "count", "mean"]


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
        empty = pd.DataFrame(columns=COLUMNS)
        reason = (
            f"the {fitted.module.kind!r} model has no item biases; "
            "train the 'dotbias' model to rank items by bias"
        )
        return BiasExtremes(empty, empty.copy(), reason)
    frame = frame[frame["count"] >= min_ratings][COLUMNS]
    ordered = frame.sort_values(["bias", "item_id"], kind="stable")
    lowest = ordered.head(n).reset_index(drop=True)
    highest = ordered.iloc[::-1].head(n).reset_index(drop=True)
    return BiasExtremes(lowest, highest)
