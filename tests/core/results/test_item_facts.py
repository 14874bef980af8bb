"""Bias extremes: the planted lowest/highest items, with count and mean; a reason without bias."""

from __future__ import annotations

import numpy as np

from cfdesk.core.results.item_facts import bias_extremes


def test_lowest_and_highest_bias_items_with_their_statistics(fitted):
    result = bias_extremes(fitted, n=3)
    assert result.reason == ""
    assert list(result.lowest.columns) == ["item_id", "title", "bias", "count", "mean"]
    # the fixture plants item biases rising with the item index
    assert list(result.lowest["item_id"]) == list(fitted.items.ids[:3])
    assert list(result.highest["item_id"]) == list(fitted.items.ids[::-1][:3])
    first = result.lowest.iloc[0]
    assert first["title"] == f"Item {fitted.items.ids[0]}"
    assert first["count"] == fitted.item_count[0]
    assert np.isclose(first["mean"], fitted.item_mean[0])


def test_min_ratings_leaves_rarely_rated_items_out(fitted):
    threshold = int(np.median(fitted.item_count))
    result = bias_extremes(fitted, n=50, min_ratings=threshold)
    assert (result.lowest["count"] >= threshold).all()
    assert len(result.lowest) == (fitted.item_count >= threshold).sum()


def test_models_without_bias_give_a_reason(fitted_of):
    result = bias_extremes(fitted_of("dot"), n=5)
    assert result.lowest.empty and result.highest.empty
    assert "has no item biases" in result.reason
