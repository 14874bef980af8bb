"""The rating-distribution model: probabilities, training on cross-entropy, files, fold-in."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.errors import TrainingError
from cfdesk.core.model import build_model
from cfdesk.core.results.foldin import fold_in
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.trainer import fit
from tests.core.conftest import planted_ratings, star_ratings


@pytest.fixture
def starred() -> Ratings:
    return star_ratings()


@pytest.fixture
def dist_config() -> TrainConfig:
    return TrainConfig(model="dist", n_factors=8, epochs=6, device="cpu", batch_size=512)


def test_level_probabilities_sum_to_one_and_give_the_prediction():
    model = build_model("dist", 7, 5, n_factors=4, levels=(1.0, 2.0, 3.0, 4.0, 5.0))
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-3, 3)
    users, items = torch.tensor([0, 6, 3, 2]), torch.tensor([4, 0, 2, 2])
    probs = model.level_probabilities(users, items)
    assert probs.shape == (4, 5)
    torch.testing.assert_close(probs.sum(dim=1), torch.ones(4))
    expected = model(users, items)
    assert ((expected >= 1) & (expected <= 5)).all()
    torch.testing.assert_close(expected, probs @ torch.arange(1.0, 6.0))
    scores = model.score_users(torch.tensor([3]))
    torch.testing.assert_close(scores[0, 2], expected[2])


def test_the_loss_is_cross_entropy_on_the_nearest_level():
    model = build_model("dist", 3, 3, n_factors=2, levels=(1.0, 2.0, 3.0))
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 3.0]])
    target = torch.tensor([1.0, 2.9])
    loss, squares = model.loss(logits, target)
    ce = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 2]), reduction="sum")
    torch.testing.assert_close(loss, ce)
    expected = torch.softmax(logits, dim=1) @ torch.tensor([1.0, 2.0, 3.0])
    torch.testing.assert_close(squares, ((expected - target) ** 2).sum())


def test_it_trains_well_below_the_bias_baseline_and_reports_rmse(starred, dist_config):
    fitted = fit(starred, dist_config)
    metrics = fitted.metrics
    baseline = metrics["baselines"]["user_item_bias"]["valid"]
    assert metrics["valid_rmse"] < baseline - 0.05
    assert fitted.history[-1]["train_rmse"] < fitted.history[0]["train_rmse"]
    predictions = fitted.predict(np.arange(10), np.arange(10))
    assert ((predictions >= 1) & (predictions <= 5)).all()


def test_row_sparse_training_reaches_the_same_quality(starred, dist_config):
    dense = fit(starred, dist_config).metrics["valid_rmse"]
    sparse = fit(starred, dist_config.with_changes(row_sparse=True, implicit=False))
    assert sparse.metrics["valid_rmse"] < dense + 0.05


def test_a_continuous_scale_is_refused_with_a_sentence(dist_config):
    with pytest.raises(TrainingError, match="dist model .* 2 to 20 distinct ratings"):
        fit(planted_ratings(40, 30), dist_config)


def test_it_saves_and_opens_with_its_levels(starred, dist_config, tmp_path):
    fitted = fit(starred, dist_config)
    loaded = load_model(save_model(fitted, tmp_path / "d.cfmodel"))
    users, items = np.arange(20), np.arange(20) % 7
    np.testing.assert_array_equal(loaded.predict(users, items), fitted.predict(users, items))
    assert loaded.module.levels.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    torch.testing.assert_close(
        loaded.module.level_probabilities(torch.tensor([1]), torch.tensor([2])),
        fitted.module.level_probabilities(torch.tensor([1]), torch.tensor([2])),
    )


def test_a_new_user_folds_in_and_gets_recommendations(starred, dist_config):
    fitted = fit(starred, dist_config)
    rec = Recommender(fitted)
    lovers = fitted.items.ids[:8]
    folded_high = fold_in(fitted, [(i, 5.0) for i in lovers])
    folded_low = fold_in(fitted, [(i, 1.0) for i in lovers])
    assert folded_high.method == "gradient"
    high = rec.score_folded(folded_high)[:8].mean()
    low = rec.score_folded(folded_low)[:8].mean()
    assert high > low + 0.5
    ids, scores = rec.recommend_folded(folded_high, n=5)
    assert len(ids) == 5 and not set(ids) & set(lovers)
    assert ((scores >= 1) & (scores <= 5)).all()
