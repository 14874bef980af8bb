"""Blends: weights fitted on validation, and the ensemble as a model like any other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.split import prepare_split
from cfdesk.core.ensemble import Ensemble
from cfdesk.core.results.foldin import fold_in
from cfdesk.core.results.projection import item_map
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.runs import blend
from cfdesk.core.storage.export import export_recommendations
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.trainer import Trainer
from tests.core.conftest import planted_ratings


def test_weights_recover_a_planted_mix_and_refuse_negative_bets():
    rng = np.random.default_rng(0)
    truth = rng.normal(3.5, 1.0, 5000)
    good = truth + rng.normal(0, 0.3, 5000)
    other = truth + rng.normal(0, 0.5, 5000)
    contrarian = 7 - truth + rng.normal(0, 0.2, 5000)  # only a negative weight would use it
    x = np.stack([good, other, contrarian], axis=1)
    weights, intercept = blend.fit_blend(x, truth)
    assert weights[2] == 0 and (weights >= 0).all()
    assert weights[0] > weights[1] > 0
    rmse = blend.blend_rmse(x, truth, weights, intercept)
    assert rmse < blend.blend_rmse(x[:, :1], truth, [1.0], 0.0)


@pytest.fixture(scope="module")
def ensemble():
    """Two differently configured models of the same split, blended on its validation rows."""
    ratings = planted_ratings(120, 80, noise=0.3, seed=3)
    base = TrainConfig(device="cpu", epochs=5, batch_size=256)
    train, valid, _ = prepare_split(ratings, base)
    members = []
    for changes in ({"n_factors": 8}, {"model": "nn", "n_factors": 6, "nn_layers": (16,)}):
        trainer = Trainer(train, valid, base.with_changes(**changes))
        for _ in trainer.reports():
            pass
        members.append(trainer.result())
    x, y = blend.validation_predictions(members, valid)
    weights, intercept = blend.fit_blend(x, y)
    return blend.blend(members, np.maximum(weights, 0.2), intercept), members


def test_the_ensemble_predicts_the_weighted_blend(ensemble):
    fitted, members = ensemble
    module = fitted.module
    assert isinstance(module, Ensemble) and len(module.members) == 2
    users, items = np.arange(30), np.arange(30) % 11
    expected = float(module.intercept) + sum(
        float(w) * m.predict(users, items) for w, m in zip(module.weights, members, strict=True)
    )
    np.testing.assert_allclose(fitted.predict(users, items), expected, rtol=1e-5)
    assert fitted.metrics["ensemble"]["members"][1]["config"]["model"] == "nn"


def test_the_ensemble_saves_and_opens(ensemble, tmp_path):
    fitted, _ = ensemble
    loaded = load_model(save_model(fitted, tmp_path / "e.cfmodel"))
    assert isinstance(loaded.module, Ensemble)
    users, items = np.arange(40), np.arange(40) % 13
    np.testing.assert_array_equal(loaded.predict(users, items), fitted.predict(users, items))
    saved, kept = loaded.metrics["ensemble"]["members"], fitted.metrics["ensemble"]["members"]
    assert [m["weight"] for m in saved] == [m["weight"] for m in kept]
    configs = [TrainConfig.from_dict(m["config"]) for m in saved]
    assert configs == [TrainConfig.from_dict(m["config"]) for m in kept]


def test_the_ensemble_recommends_exports_and_maps(ensemble, tmp_path):
    fitted, _ = ensemble
    rec = Recommender(fitted)
    user = fitted.users.ids[5]
    ids, scores = rec.recommend(user, n=4)
    assert len(ids) == 4 and not set(ids) & set(fitted.items.ids[fitted.seen.of(5)])
    idx = fitted.items.indices_of(list(ids))
    np.testing.assert_allclose(scores, fitted.predict(np.full(4, 5), idx), atol=1e-4)
    out = tmp_path / "recs.csv"
    export_recommendations(rec, out, n=3)
    frame = pd.read_csv(out)
    assert len(frame) == 3 * int((fitted.user_count > 0).sum())
    assert item_map(fitted).frame.shape[0] > 0


def test_a_new_user_folds_into_every_member(ensemble):
    fitted, _ = ensemble
    rec = Recommender(fitted)
    rated = fitted.items.ids[:6]
    high = fold_in(fitted, [(i, 5.0) for i in rated])
    low = fold_in(fitted, [(i, 1.0) for i in rated])
    assert high.method == "gradient"
    assert len(high.vector) == fitted.module.user_embeddings().shape[1]
    assert rec.score_folded(high)[:6].mean() > rec.score_folded(low)[:6].mean() + 0.5
    ids, _ = rec.recommend_folded(high, n=5)
    assert len(ids) == 5 and not set(ids) & set(rated)
    torch.testing.assert_close(
        fitted.module.vector_raw(fitted.module.user_embeddings()[:3], torch.arange(3)),
        fitted.module(torch.arange(3), torch.arange(3)),
    )
