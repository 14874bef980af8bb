"""On MovieLens 100k: the default ranking beats popularity, and Star Wars' neighbours are its sequels."""

from __future__ import annotations

import dataclasses

import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.fitted import SeenItems
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.results.topn_metrics import evaluate_popularity, evaluate_recommender
from cfdesk.core.training.trainer import fit

STAR_WARS, EMPIRE, JEDI = 50, 172, 181


@pytest.mark.slow
def test_default_model_beats_popularity_and_finds_the_sequels(ml100k):
    base = load_ratings(ml100k / "u1.base")
    fitted = fit(base, TrainConfig(device="cpu"))
    fitted = dataclasses.replace(fitted, seen=SeenItems.from_ratings(base))  # all of u1.base
    test = load_ratings(ml100k / "u1.test", items=False)
    rec = Recommender(fitted)
    model, baseline = evaluate_recommender(rec, test), evaluate_popularity(fitted, test)
    assert model.n_users > 400
    assert model.ndcg > baseline.ndcg
    ids, _ = rec.similar_items(STAR_WARS, n=5, min_ratings=20)
    assert {EMPIRE, JEDI} <= set(ids.tolist())
