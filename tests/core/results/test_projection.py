"""PCA map: reproducible, sign-stable, variance ratios right, every item placed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.errors import CfdeskError
from cfdesk.core.results.projection import fit_pca, item_map


def test_pca_matches_the_variance_and_has_fixed_signs():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 6)) * np.array([5.0, 3.0, 1.0, 0.5, 0.2, 0.1])
    pca = fit_pca(x, 3)
    var = np.linalg.svd(x - x.mean(0), compute_uv=False) ** 2
    np.testing.assert_allclose(pca.explained_ratio, var[:3] / var.sum())
    for row in pca.components:
        assert row[np.abs(row).argmax()] > 0
    flipped = fit_pca(-x, 3)  # same cloud mirrored: the map must not flip with it
    np.testing.assert_allclose(np.abs(flipped.components), np.abs(pca.components), atol=1e-9)
    for row in flipped.components:
        assert row[np.abs(row).argmax()] > 0


def test_item_map_is_reproducible_and_places_every_item(fitted):
    first = item_map(fitted, n_components=3, fit_on=20)
    again = item_map(fitted, n_components=3, fit_on=20)
    np.testing.assert_array_equal(
        first.frame[["pc1", "pc2", "pc3"]], again.frame[["pc1", "pc2", "pc3"]]
    )
    assert len(first.frame) == fitted.n_items
    assert first.frame["in_fit"].sum() == 20
    assert first.frame.loc[first.frame["in_fit"], "count"].min() >= np.sort(fitted.item_count)[-20]
    for col in ("item_id", "title", "genres", "count", "mean", "bias"):
        assert col in first.frame
    assert first.explained_ratio.shape == (3,) and np.all(np.diff(first.explained_ratio) <= 0)


def test_axis_ends_name_the_extreme_items(fitted):
    result = item_map(fitted, fit_on=None, n_ends=2)
    low, high = result.axis_ends["pc1"]
    ordered = result.frame.sort_values("pc1")["title"].tolist()
    assert low == ordered[:2] and high == ordered[::-1][:2]


def test_a_planted_direction_is_the_first_component(fitted):
    rng = np.random.default_rng(1)
    direction = np.array([0.6, 0.8, 0.0])
    spread = rng.normal(size=(fitted.n_items, 1)) * 10
    with torch.no_grad():
        fitted.module.item_factors.weight.copy_(torch.as_tensor(spread * direction + 0.01))
    result = item_map(fitted, fit_on=None)
    np.testing.assert_allclose(result.pca.components[0], direction, atol=1e-6)
    assert result.explained_ratio[0] > 0.99


def test_too_few_factors_is_explained(fitted):
    with pytest.raises(CfdeskError, match="3-D map"):
        fit_pca(np.zeros((10, 2)), 3)
    with pytest.raises(CfdeskError, match="2 or 3"):
        item_map(fitted, n_components=4)
