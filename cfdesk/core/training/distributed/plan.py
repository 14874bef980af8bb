"""Who holds which rows when (DSGD's stratified schedule, Gemulla et al., KDD 2011).

Process r owns the users of part r and, at any moment, one item shard; an epoch is N strata
(sub-epochs), and in the stratum with offset o process r trains on block (user part r, item
shard (r + o) mod N). Within a stratum no two processes hold the same item shard, so every
embedding row has one writer, and over an epoch every block is trained once. Item shards are
balanced by training ratings (longest-processing-time first), padded to one size so they can
travel between processes as equal tensors.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np


def balanced_shards(counts: np.ndarray, n_shards: int) -> np.ndarray:
    """Shard of each item: the most-rated first, each to the shard with the fewest ratings so
    far, so a stratum's blocks take about the same time on every process."""
    shard_of = np.zeros(len(counts), dtype=np.int64)
    heap = [(0, 0, shard) for shard in range(n_shards)]  # (ratings, items, shard)
    for item in np.argsort(-np.asarray(counts), kind="stable").tolist():
        ratings, n_items, shard = heapq.heappop(heap)
        shard_of[item] = shard
        heapq.heappush(heap, (ratings + int(counts[item]), n_items + 1, shard))
    return shard_of


@dataclass(frozen=True, eq=False)
class ShardLayout:
    """Items in shards: each item's shard and row (slot) in it; shards padded to `size` rows."""

    shard_of: np.ndarray  # per global item index
    slot_of: np.ndarray  # per global item index: its row in the shard
    size: int  # rows per shard; slots past a shard's own items are never rated
    n_shards: int

    @classmethod
    def balanced(cls, counts: np.ndarray, n_shards: int) -> ShardLayout:
        """Shards balanced by `counts` (training ratings per item); slots in item order."""
        shard_of = balanced_shards(counts, n_shards)
        order = np.argsort(shard_of, kind="stable")
        per_shard = np.bincount(shard_of, minlength=n_shards)
        starts = np.concatenate([[0], np.cumsum(per_shard)[:-1]])
        slot_of = np.empty(len(counts), dtype=np.int64)
        slot_of[order] = np.arange(len(counts)) - starts[shard_of[order]]
        return cls(shard_of, slot_of, max(1, int(per_shard.max(initial=0))), n_shards)

    def position(self, items: np.ndarray) -> np.ndarray:
        """Row of each item in all shards stacked (shard-major, padded): the layout of a table
        gathered from every process."""
        return self.shard_of[items] * self.size + self.slot_of[items]

    def members(self, shard: int) -> tuple[np.ndarray, np.ndarray]:
        """(global item indices, their slots) of one shard."""
        items = np.flatnonzero(self.shard_of == shard)
        return items, self.slot_of[items]


def held_shard(rank: int, offset: int, n: int) -> int:
    """The item shard process `rank` holds in a stratum with this offset."""
    return (rank + offset) % n


def stratum_offsets(seed: int, epoch: int, n: int) -> list[int]:
    """The strata of one epoch in a seeded random order (the same on every process): each
    (user part, item shard) block once, in a different order each epoch."""
    return np.random.default_rng([seed, epoch]).permutation(n).tolist()


def steps_per_stratum(n_train: int, batch: int, n: int) -> int:
    """Optimizer steps in each stratum: an epoch keeps the single-process step count (one step
    per `batch` ratings over all processes), shared out over its N strata."""
    return max(1, math.ceil(math.ceil(n_train / batch) / n))


def batch_bounds(n_rows: int, steps: int) -> np.ndarray:
    """Where each of `steps` nearly equal batches of a block of `n_rows` starts (and the end)."""
    return np.arange(steps + 1, dtype=np.int64) * n_rows // steps
