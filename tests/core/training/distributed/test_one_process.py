"""The distributed pieces with one process (no sockets): they must reproduce the single-process
trainer's arithmetic, and a step without ratings must not break the job's lock-step."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.loader import load_ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.model import make_model
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.distributed.agree import load_parts
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.local_step import LocalStep
from cfdesk.core.training.distributed.plan import ShardLayout
from cfdesk.core.training.distributed.sharded_implicit import ShardedImplicit
from cfdesk.core.training.distributed.trainer import ShardedTrainer
from cfdesk.core.training.implicit import IMPLICIT_EVERY, ImplicitTerm
from cfdesk.core.training.optim import build_optimizer
from cfdesk.core.training.reports import EpochReport, FitStarted
from cfdesk.core.training.steps import AutogradStep
from cfdesk.core.training.trainer import Trainer

from ...conftest import planted_ratings


@pytest.fixture
def one() -> Comm:
    return Comm(0, 1, torch.device("cpu"), timeout_s=60)


@pytest.fixture
def planted_csv(tmp_path):
    ratings = planted_ratings(120, 80, noise=0.3)
    path = tmp_path / "planted.csv"
    lines = ["user,item,rating"] + [
        f"{u},{i},{r:.3f}"
        for u, i, r in zip(ratings.users.ids[ratings.user_idx],
                           ratings.items.ids[ratings.item_idx], ratings.rating, strict=True)
    ]  # fmt: skip
    path.write_text("\n".join(lines) + "\n")
    return path


def test_sharded_implicit_term_matches_the_single_process_term(tiny, one):
    config = TrainConfig(n_factors=6, device="cpu")
    single, sharded = make_model(config, tiny), make_model(config, tiny)
    term = ImplicitTerm(single, tiny, torch.device("cpu"))
    layout = ShardLayout.balanced(tiny.item_counts(), 1)
    shared = ShardedImplicit(sharded, tiny, layout, one)
    steps = [
        AutogradStep(m, build_optimizer(m, config), t, False)
        for m, t in ((single, term), (sharded, shared))
    ]
    rng = np.random.default_rng(0)
    for _ in range(2 * IMPLICIT_EVERY + 3):
        rows = torch.as_tensor(rng.choice(tiny.n_ratings, 128, replace=False))
        batch = (torch.as_tensor(tiny.user_idx).long()[rows],
                 torch.as_tensor(tiny.item_idx).long()[rows], torch.as_tensor(tiny.rating)[rows])  # fmt: skip
        losses = [step.train_step(*batch, 128) for step in steps]
        torch.testing.assert_close(losses[0], losses[1])
    for a, b in zip(single.parameters(), sharded.parameters(), strict=True):
        torch.testing.assert_close(a, b)
    assert float(single.implicit.weight.detach().abs().sum()) > 0  # y did train
    torch.testing.assert_close(single.user_offsets, sharded.user_offsets)


@pytest.mark.parametrize(
    "kind, row_sparse, implicit",
    [("dotbias", False, True), ("nn", False, False), ("dotbias", True, False), ("nn", True, False)],
)
def test_a_step_without_ratings_still_moves_every_row_once(tiny, one, kind, row_sparse, implicit):
    config = TrainConfig(model=kind, n_factors=6, device="cpu", row_sparse=row_sparse)
    module = make_model(config, tiny)
    layout = ShardLayout.balanced(tiny.item_counts(), 1)
    shared = ShardedImplicit(module, tiny, layout, one) if implicit else None
    local = LocalStep(module, config, 0.01, row_sparse, shared, one)
    users = torch.as_tensor(tiny.user_idx[:64]).long()
    items = torch.as_tensor(tiny.item_idx[:64]).long()
    target = torch.as_tensor(tiny.rating[:64])
    local.train_step(users, items, target, 64)  # moments are non-zero from here on
    before = copy.deepcopy(module.state_dict())
    empty = users[:0]
    assert float(local.train_step(empty, empty, target[:0], 64)) == 0.0
    after = module.state_dict()
    for name in ("user_factors.weight", "item_factors.weight"):
        assert torch.isfinite(after[name]).all()
        if not row_sparse:  # dense AdamW: decay and momentum move every row, as on one process
            assert not torch.equal(before[name], after[name])
    if row_sparse:
        steps = {int(s["step"]) for s in local.optimizer.state.values()}
        assert steps == {2}  # every table counted both steps: bias correction stays in line


def test_one_process_trains_like_the_single_process_trainer(planted_csv, one, tmp_path):
    config = TrainConfig(n_factors=8, epochs=4, device="cpu", valid_frac=0.1)
    part = load_parts(planted_csv, config, one)
    trainer = ShardedTrainer(part, config, one)
    reports = list(trainer.reports())
    fitted = trainer.result(item_file=False)

    ratings = load_ratings(planted_csv, items=False)
    train, valid, _ = prepare_split(ratings, config)
    single = Trainer(train, valid, config)
    single_started = list(single.reports())[0]
    reference = single.result()

    started = reports[0]
    assert isinstance(started, FitStarted) and started.n_batches == single_started.n_batches
    assert [r.epoch for r in reports if isinstance(r, EpochReport)] == [1, 2, 3, 4]
    assert abs(fitted.metrics["valid_rmse"] - reference.metrics["valid_rmse"]) < 0.02
    assert fitted.metrics["n_valid"] == reference.metrics["n_valid"]
    np.testing.assert_array_equal(fitted.users.ids, reference.users.ids)
    np.testing.assert_array_equal(fitted.items.ids, reference.items.ids)
    np.testing.assert_array_equal(fitted.seen.indptr, reference.seen.indptr)
    np.testing.assert_array_equal(fitted.seen.indices, reference.seen.indices)
    np.testing.assert_array_equal(fitted.item_count, reference.item_count)
    np.testing.assert_allclose(fitted.item_mean, reference.item_mean, rtol=1e-6)
    again = load_model(save_model(fitted, tmp_path / "one.cfmodel"))
    user = fitted.users.ids[0]
    ids, _ = Recommender(again).recommend(user, n=5)
    assert not set(ids.tolist()) & set(fitted.items.ids[fitted.seen.of(0)].tolist())
    assert again.metrics["distributed"]["processes"] == 1


def test_early_stopping_keeps_the_best_epoch(planted_csv, one):
    config = TrainConfig(n_factors=8, epochs=15, patience=2, lr=0.03, schedule="constant",
                         device="cpu")  # fmt: skip
    trainer = ShardedTrainer(load_parts(planted_csv, config, one), config, one)
    list(trainer.reports())
    fitted = trainer.result(item_file=False)
    scores = [row["valid_rmse"] for row in fitted.history]
    assert fitted.metrics["outcome"] == "stopped early" and len(scores) < 15
    best = scores.index(min(scores))
    assert fitted.metrics["best_epoch"] == best + 1 and best < len(scores) - 1
    assert fitted.metrics["valid_rmse"] == pytest.approx(scores[best], rel=1e-5)


def test_without_early_stopping_the_best_epoch_is_kept_unless_keep_best_is_off(planted_csv, one):
    config = TrainConfig(n_factors=8, epochs=10, lr=0.05, schedule="constant", device="cpu")
    kept = {}
    for keep_best in (True, False):
        run = config.with_changes(keep_best=keep_best)
        trainer = ShardedTrainer(load_parts(planted_csv, run, one), run, one)
        list(trainer.reports())
        kept[keep_best] = trainer.result(item_file=False)
    scores = [row["valid_rmse"] for row in kept[True].history]
    best = scores.index(min(scores)) + 1
    assert best < len(scores), "the run must overfit for this test to mean anything"
    assert kept[True].metrics["kept_epoch"] == best
    assert kept[True].metrics["valid_rmse"] == pytest.approx(min(scores), rel=1e-5)
    assert kept[False].metrics["kept_epoch"] == len(scores)
    assert kept[False].metrics["valid_rmse"] == pytest.approx(scores[-1], rel=1e-5)
    assert "keep the best epoch is off" in kept[False].metrics["kept"]
