"""Hand-written gradients for the dot models give the same weights as autograd does."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import TrainingError
from cfdesk.core.training import hand_grad, steps
from cfdesk.core.training.hand_grad import HandGradOptimizer, user_blocks
from cfdesk.core.training.row_sparse import RowSparseOptimizer
from cfdesk.core.training.trainer import Trainer

real_blocks = user_blocks


def _trained(train, valid, config) -> dict[str, torch.Tensor]:
    trainer = Trainer(train, valid, config)
    list(trainer.reports())
    return {k: v.clone() for k, v in trainer.module.state_dict().items()}


def _assert_hand_matches_autograd(ratings, config, monkeypatch) -> None:
    """Train with hand-written gradients, then through autograd in one pass, and compare."""
    train, valid, _ = prepare_split(ratings, config)
    hand = _trained(train, valid, config)
    monkeypatch.setattr(steps, "has_hand_gradients", lambda module: False)
    auto = _trained(train, valid, config.with_changes(accum_steps=1))
    for name, value in auto.items():
        torch.testing.assert_close(hand[name], value, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "changes",
    [
        {"model": "dotbias"},
        {"model": "dot", "use_y_range": False, "lr": 0.005},
        {"model": "dotbias", "optimizer": "sgd", "lr": 0.5},
        {"model": "dotbias", "accum_steps": 4},
    ],
)
def test_hand_gradients_match_autograd(tiny, quick, monkeypatch, changes):
    config = quick.with_changes(row_sparse=True, **changes)
    _assert_hand_matches_autograd(tiny, config, monkeypatch)


def test_cpu_blocks_of_whole_users_match_autograd(tiny, quick, monkeypatch):
    """Small CPU blocks: each block's user rows are stored before the next block is read."""
    monkeypatch.setattr(hand_grad, "CPU_BLOCK", 16)
    config = quick.with_changes(row_sparse=True)
    _assert_hand_matches_autograd(tiny, config, monkeypatch)


def test_user_blocks_cover_every_rating_once_and_never_split_a_user():
    counts = torch.tensor([3, 1, 7, 2, 2, 1, 5])  # ratings per user, sorted by user
    blocks = user_blocks(counts, 4)
    # each block ends with the user who holds rating 4, 8, 12, ... (a user is never split)
    assert blocks == [(0, 2, 0, 4), (2, 3, 4, 11), (3, 4, 11, 13), (4, 6, 13, 16), (6, 7, 16, 21)]
    assert user_blocks(counts, 100) == [(0, 7, 0, 21)]
    assert user_blocks(torch.tensor([10]), 4) == [(0, 1, 0, 10)]  # one user past three marks


def test_out_of_memory_after_stored_blocks_is_an_error_not_a_retry(tiny, quick, monkeypatch):
    """A retry would step the stored blocks' users twice, so it must not happen."""
    monkeypatch.setattr(hand_grad, "CPU_BLOCK", 16)
    config = quick.with_changes(row_sparse=True, auto_fit=True)
    train, valid, _ = prepare_split(tiny, config)
    real, calls = RowSparseOptimizer._compute, []

    def compute(self, name, *args):
        calls.append(name)
        if len(calls) == 3:  # block 0's two user tables are stored; block 1 runs out
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real(self, name, *args)

    monkeypatch.setattr(RowSparseOptimizer, "_compute", compute)
    with pytest.raises(TrainingError, match="after 1 blocks of a step were stored"):
        list(Trainer(train, valid, config).reports())


@pytest.fixture
def set_threads():
    """torch.set_num_threads, with torch's own count given back afterwards."""
    before = torch.get_num_threads()
    yield torch.set_num_threads
    torch.set_num_threads(before)


@pytest.mark.parametrize(
    "threads, spins, blocked", [(1, False, True), (2, True, True), (2, False, False)]
)
def test_steps_run_in_blocks_only_where_they_pay(
    tiny, quick, monkeypatch, set_threads, threads, spins, blocked
):
    monkeypatch.setattr(hand_grad, "CPU_BLOCK", 16)
    monkeypatch.setattr(hand_grad, "waits_spin", lambda: spins)
    calls = []
    monkeypatch.setattr(hand_grad, "user_blocks", lambda *a: calls.append(a) or real_blocks(*a))
    config = quick.with_changes(row_sparse=True)
    trainer = Trainer(tiny, None, config)
    opt = HandGradOptimizer(trainer.module, trainer.config, trainer.lr)
    users, items = torch.as_tensor(tiny.user_idx).long(), torch.as_tensor(tiny.item_idx).long()
    set_threads(threads)
    opt.train_step(users, items, torch.as_tensor(tiny.rating).float(), micro=len(users))
    assert bool(calls) == blocked


def test_several_blocks_stored_at_the_end_match_autograd(tiny, quick, monkeypatch):
    """Off the CPU (here pretended): micro-batches of whole users, every row stored at the end."""
    monkeypatch.setattr(hand_grad, "_stores_blocks_early", lambda device: False)
    config = quick.with_changes(row_sparse=True, accum_steps=4)
    _assert_hand_matches_autograd(tiny, config, monkeypatch)
