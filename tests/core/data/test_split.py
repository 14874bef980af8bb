"""Splits: seeded random, per-user temporal, and aligning a separate test file."""

from __future__ import annotations

import numpy as np
import pytest

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import ratings_from_raw
from cfdesk.core.data.split import (
    align_ratings,
    known_mask,
    prepare_split,
    random_split,
    temporal_split,
)
from cfdesk.core.errors import DataError, TrainingError


def _pairs(r):
    return set(zip(r.user_idx.tolist(), r.item_idx.tolist(), strict=True))


def test_random_split_is_disjoint_complete_and_seeded(tiny):
    train, valid = random_split(tiny, 0.2, seed=1)
    again, _ = random_split(tiny, 0.2, seed=1)
    other, _ = random_split(tiny, 0.2, seed=2)
    assert not _pairs(train) & _pairs(valid)
    assert train.n_ratings + valid.n_ratings == tiny.n_ratings
    assert valid.n_ratings == round(0.2 * tiny.n_ratings)
    assert _pairs(again) == _pairs(train) != _pairs(other)


def test_temporal_split_holds_out_each_users_latest_ratings(tiny):
    train, valid = temporal_split(tiny, 0.25)
    for user in range(tiny.n_users):
        held = valid.timestamp[valid.user_idx == user]
        kept = train.timestamp[train.user_idx == user]
        assert len(kept) >= 1
        if len(held):
            assert held.min() >= kept.max()


def test_temporal_split_needs_timestamps():
    r = ratings_from_raw(np.array([1, 2]), np.array([3, 4]), np.array([1.0, 2.0]), source="x.csv")
    with pytest.raises(DataError, match="x.csv has no timestamp"):
        temporal_split(r, 0.2)


def test_align_maps_raw_ids_and_counts_unknown_rows(tiny):
    other = ratings_from_raw(
        np.array([1, 2, 999]), np.array([1001, 1002, 1001]), np.array([4.0, 3.0, 5.0])
    )
    aligned, n_unknown = align_ratings(other, tiny)
    assert n_unknown == 1 and aligned.n_ratings == 2
    assert aligned.users is tiny.users
    assert tiny.users.ids[aligned.user_idx].tolist() == [1, 2]
    assert tiny.items.ids[aligned.item_idx].tolist() == [1001, 1002]


def test_align_matches_string_ids():
    to = ratings_from_raw(np.array(["a", "b"]), np.array(["x", "y"]), np.array([1.0, 2.0]))
    other = ratings_from_raw(np.array(["b", "c"]), np.array(["y", "y"]), np.array([3.0, 4.0]))
    aligned, n_unknown = align_ratings(other, to)
    assert n_unknown == 1 and to.users.ids[aligned.user_idx].tolist() == ["b"]


def test_known_mask_flags_rows_training_never_saw(tiny):
    train, valid = random_split(tiny, 0.2, seed=0)
    train = train.subset(train.item_idx != 0)
    mask = known_mask(valid, train)
    assert (~mask).sum() == (valid.item_idx == 0).sum()


def test_prepare_split_follows_the_settings(tiny):
    train, valid, test = prepare_split(tiny, TrainConfig(valid_frac=0.0))
    assert valid is None and test is None and train.n_ratings == tiny.n_ratings
    with pytest.raises(TrainingError, match="valid_frac"):
        prepare_split(tiny, TrainConfig(valid_frac=1.5))


def test_trainer_aligns_a_test_file_with_its_own_id_maps(tiny, quick):
    from cfdesk.core.training.trainer import Trainer

    train, valid, _ = prepare_split(tiny, quick)
    raw_users = tiny.users.ids[valid.user_idx]
    raw_items = tiny.items.ids[valid.item_idx]
    separate = ratings_from_raw(raw_users, raw_items, valid.rating)
    trainer = Trainer(train, valid, quick, test=separate)
    list(trainer.reports())
    m = trainer.result().metrics
    assert m["test_rmse"] == pytest.approx(m["valid_rmse"], rel=1e-6)


class _StopAt:
    """A should_stop callback that says stop from its `at`-th call on (never when at is 0)."""

    def __init__(self, at: int = 0):
        self.at, self.calls = at, 0

    def __call__(self) -> bool:
        self.calls += 1
        return self.at > 0 and self.calls >= self.at


@pytest.mark.parametrize("split", ["random", "temporal"])
def test_a_stop_ends_the_split_at_any_of_its_steps(tiny, split):
    from cfdesk.core.atomic import Cancelled

    config = TrainConfig(valid_frac=0.2, split=split)
    never = _StopAt()
    train, valid, _ = prepare_split(tiny, config, should_stop=never)
    plain_train, plain_valid, _ = prepare_split(tiny, config)
    assert _pairs(train) == _pairs(plain_train) and _pairs(valid) == _pairs(plain_valid)
    assert never.calls >= 4  # checked before, between and after the big steps
    for at in range(1, never.calls + 1):
        with pytest.raises(Cancelled, match="splitting the ratings was cancelled"):
            prepare_split(tiny, config, should_stop=_StopAt(at))
