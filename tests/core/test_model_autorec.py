"""I-AutoRec as a model kind: it trains, saves and opens, recommends, folds in and exports."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import random_split
from cfdesk.core.ensemble import Ensemble
from cfdesk.core.errors import TrainingError
from cfdesk.core.model import make_model
from cfdesk.core.results.foldin import fold_in
from cfdesk.core.results.projection import item_map
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.storage import model_file
from cfdesk.core.storage.embeddings import export_projector
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.distributed.trainer import ShardedTrainer
from cfdesk.core.training.trainer import fit
from tests.core.conftest import planted_ratings


@pytest.fixture(scope="module")
def ratings() -> Ratings:
    return planted_ratings(120, 80, noise=0.3)


@pytest.fixture(scope="module")
def config() -> TrainConfig:
    return TrainConfig(model="autorec", n_factors=32, epochs=12, device="cpu", batch_size=256,
                       weight_decay=0.5)  # fmt: skip


@pytest.fixture(scope="module")
def fitted(ratings, config):
    return fit(ratings, config)


def test_an_item_code_is_computed_from_the_ratings_it_received(ratings, config):
    train, _ = random_split(ratings, 0.1, 0)
    model = make_model(config, train)
    with torch.no_grad():
        model.encoder.weight.normal_()
    item = int(train.item_idx[0])
    rows = train.item_idx == item
    by_hand = torch.sigmoid(
        torch.as_tensor(train.rating[rows]) @ model.encoder.weight[train.user_idx[rows]]
        + model.code_bias
    )
    torch.testing.assert_close(model.codes(torch.tensor([item]))[0], by_hand)
    pairs = torch.tensor([3, 4, 5]), torch.tensor([item, 1, item])
    manual = (model.user_factors.weight[pairs[0]] * model.codes(pairs[1])).sum(1)
    manual = model._squash(manual + model.user_bias.weight[pairs[0], 0])
    torch.testing.assert_close(model(*pairs), manual)


def test_it_trains_well_below_the_bias_baseline(fitted):
    baseline = fitted.metrics["baselines"]["user_item_bias"]["valid"]
    assert fitted.metrics["valid_rmse"] < baseline - 0.1
    assert fitted.history[-1]["train_rmse"] < fitted.history[0]["train_rmse"]


def test_it_saves_and_opens_with_the_ratings_it_encodes(fitted, tmp_path):
    loaded = load_model(save_model(fitted, tmp_path / "a.cfmodel"))
    users, items = np.arange(30), np.arange(30) % 11
    np.testing.assert_array_equal(loaded.predict(users, items), fitted.predict(users, items))
    assert loaded.module.kind == "autorec"
    assert loaded.module.n_inputs == fitted.metrics["n_train"]


def test_recommendations_match_its_predictions_and_skip_seen_items(fitted):
    rec = Recommender(fitted)
    ids, scores = rec.recommend(fitted.users.ids[5], n=5)
    user = 5
    items = fitted.items.indices_of(list(ids))
    np.testing.assert_allclose(scores, fitted.predict(np.full(5, user), items), atol=1e-4)
    assert not set(items) & set(fitted.seen.of(user).tolist())
    full = fitted.module.score_users(torch.tensor([user]))[0]
    torch.testing.assert_close(full[items], torch.as_tensor(scores), atol=1e-4, rtol=0)


def test_a_new_user_folds_in_by_least_squares_against_the_codes(fitted):
    lovers = fitted.items.ids[:8]
    high = fold_in(fitted, [(i, 5.0) for i in lovers])
    low = fold_in(fitted, [(i, 1.0) for i in lovers])
    assert high.method == "least-squares"
    assert high.vector.shape == (32,)
    rec = Recommender(fitted)
    assert rec.score_folded(high)[:8].mean() > rec.score_folded(low)[:8].mean() + 0.5


def test_the_map_and_the_projector_use_the_item_codes(fitted, tmp_path):
    files = export_projector(fitted, tmp_path / "proj")
    vectors = np.loadtxt(files.vectors, delimiter="\t")
    assert vectors.shape == (fitted.n_items, 32)
    assert ((vectors > 0) & (vectors < 1)).all()  # sigmoid codes
    assert len(item_map(fitted).frame) > 0


def test_row_sparse_updates_are_refused_with_a_sentence(ratings, config):
    with pytest.raises(TrainingError, match="autorec model .* turn off row-sparse"):
        fit(ratings, config.with_changes(row_sparse=True, implicit=False))


def test_its_files_are_format_3_so_older_cfdesk_says_update(fitted, tmp_path):
    path = save_model(fitted, tmp_path / "a.cfmodel")
    meta, _ = model_file._read_header(path)
    assert meta["format_version"] == 3
    blend = Ensemble([fitted.module, copy.deepcopy(fitted.module)], [0.5, 0.5])
    both = save_model(replace(fitted, module=blend), tmp_path / "b.cfmodel")
    assert model_file._read_header(both)[0]["format_version"] == 3
    assert load_model(both).module.members[1].kind == "autorec"


def test_distributed_training_refuses_it_with_a_sentence(config):
    with pytest.raises(TrainingError, match="autorec model .* without --distributed"):
        ShardedTrainer(None, config, None)


def test_codes_are_computed_once_outside_training_and_again_after_any_change(ratings, config):
    model = make_model(config, ratings).eval()
    calls = []
    encode = model.codes
    model.codes = lambda idx: calls.append(len(idx)) or encode(idx)
    first = model.item_embeddings()
    model(torch.tensor([0, 1]), torch.tensor([2, 3]))  # a prediction reads the kept codes
    assert model.item_embeddings() is first and calls == [ratings.n_items]
    model.train()
    with torch.no_grad():
        model.encoder.weight.add_(1.0)  # as a training step would
    model.eval()
    assert not torch.equal(model.item_embeddings(), first)
    model.load_state_dict(make_model(config, ratings).state_dict())
    torch.testing.assert_close(model.item_embeddings(), first)
    assert len(calls) == 3


def test_a_file_whose_encoded_ratings_name_unknown_users_is_refused_as_damaged(fitted, tmp_path):
    bad = copy.deepcopy(fitted.module)
    bad.input_users[0] = bad.n_users + 5  # saved with a valid checksum: only the check can see it
    path = save_model(replace(fitted, module=bad), tmp_path / "bad.cfmodel")
    with pytest.raises(model_file.ModelFileError, match="damaged .*users it does not have"):
        load_model(path)
