"""The stratum schedule: one writer per row at any moment, every block once per epoch, balanced
shards, and the single-process step count."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cfdesk.core.training.distributed.plan import (
    ShardLayout,
    balanced_shards,
    batch_bounds,
    held_shard,
    steps_per_stratum,
    stratum_offsets,
)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 8])
def test_each_epoch_trains_every_block_once_and_no_two_processes_share_a_shard(n):
    for epoch in range(1, 6):
        offsets = stratum_offsets(seed=42, epoch=epoch, n=n)
        blocks = set()
        for offset in offsets:
            held = [held_shard(rank, offset, n) for rank in range(n)]
            assert sorted(held) == list(range(n))  # one process per item shard
            blocks |= {(rank, shard) for rank, shard in enumerate(held)}
        assert blocks == {(r, s) for r in range(n) for s in range(n)}


def test_strata_come_in_a_new_order_each_epoch_and_the_same_on_every_process():
    orders = {tuple(stratum_offsets(7, epoch, 4)) for epoch in range(1, 20)}
    assert len(orders) > 1
    assert stratum_offsets(7, 3, 4) == stratum_offsets(7, 3, 4)


def test_shards_are_balanced_by_ratings_even_with_one_very_popular_item():
    rng = np.random.default_rng(0)
    counts = rng.zipf(1.3, 5000).clip(max=200_000)
    counts[17] = counts.sum()  # one item holds half the ratings
    for n in (2, 3, 4):
        shard_of = balanced_shards(counts, n)
        per_shard = np.bincount(shard_of, weights=counts, minlength=n)
        others = np.delete(per_shard, shard_of[17])
        assert others.max() - others.min() <= counts[counts < counts[17]].max()
        assert set(np.unique(shard_of)) == set(range(n))


def test_layout_gives_each_item_one_row_of_one_padded_shard():
    counts = np.random.default_rng(1).integers(0, 50, 1001)
    layout = ShardLayout.balanced(counts, 4)
    positions = layout.position(np.arange(1001))
    assert len(np.unique(positions)) == 1001
    assert (layout.slot_of < layout.size).all()
    assert layout.size * 4 >= 1001 and layout.size <= 1001 // 4 + 50
    for shard in range(4):
        items, slots = layout.members(shard)
        assert (layout.shard_of[items] == shard).all()
        assert sorted(slots.tolist()) == list(range(len(items)))


@pytest.mark.parametrize("n_train", [1, 1000, 80_000, 1_000_003])
@pytest.mark.parametrize("n", [1, 2, 4])
def test_an_epoch_keeps_the_single_process_step_count(n_train, n):
    batch = 1024
    single = math.ceil(n_train / batch)
    steps = steps_per_stratum(n_train, batch, n) * n
    assert single <= steps < single + n


@pytest.mark.parametrize("rows, steps", [(0, 3), (5, 8), (1000, 7), (1024, 1)])
def test_batches_of_a_block_cover_it_in_nearly_equal_pieces(rows, steps):
    bounds = batch_bounds(rows, steps)
    assert bounds[0] == 0 and bounds[-1] == rows and len(bounds) == steps + 1
    sizes = np.diff(bounds)
    assert sizes.min() >= 0 and sizes.max() - sizes.min() <= 1
