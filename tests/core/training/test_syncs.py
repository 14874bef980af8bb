"""No host syncs in a steady training step or between reports: the calls that make the host wait
for a GPU are counted here on the CPU, with the step built as it is on CUDA."""

from __future__ import annotations

import pytest
import torch

from cfdesk.core.training import batching
from cfdesk.core.training import device as device_module
from cfdesk.core.training.reports import BatchReport
from cfdesk.core.training.steps import make_step
from cfdesk.core.training.sync_audit import SyncAudit
from cfdesk.core.training.trainer import Trainer

from ..conftest import planted_ratings


@pytest.fixture
def as_on_cuda(monkeypatch):
    """Steps built as on CUDA (slot tables, fused optimizers), running on the CPU."""
    monkeypatch.setattr(device_module, "SYNC_FREE_DEVICES", frozenset({"cuda", "cpu"}))


def test_the_audit_sees_each_kind_of_sync():
    x = torch.arange(6.0)
    calls = [
        lambda: float(x[0]),
        lambda: x.tolist(),
        lambda: x.nonzero(),
        lambda: torch.unique(x),
        lambda: torch.unique_consecutive(x),
        lambda: x[x > 2],
        lambda: torch.tensor([1.0]),
        lambda: x.repeat_interleave(torch.tensor([1, 0, 1, 0, 1, 0])),
    ]
    for call in calls:
        with SyncAudit() as audit:
            call()
        assert audit.total >= 1, call
    with SyncAudit() as audit:
        torch.sort(x.flip(0)).indices.cumsum(0).index_select(0, torch.zeros(2, dtype=torch.long))
    assert audit.total == 0


STEPS = [
    {"model": "dotbias", "row_sparse": True},
    {"model": "dot", "row_sparse": True, "optimizer": "sgd"},
    {"model": "nn", "row_sparse": True, "nn_layers": (8,)},
    {"model": "dotbias", "row_sparse": False},  # with the implicit term
    {"model": "dotbias", "row_sparse": False, "implicit": False, "optimizer": "sgd"},
    {"model": "nn", "row_sparse": False, "nn_layers": (8,)},
]


def _stepper(trainer: Trainer, ratings, micro: int):
    """A function running n optimizer steps of 128 ratings, built as the trainer builds them."""
    opt = make_step(
        trainer.module, trainer.config, trainer.lr, trainer._row_sparse, trainer._implicit,
        trainer.device,
    )  # fmt: skip
    users, items, target = batching.device_tensors(ratings, trainer.device)

    def run(n: int) -> None:
        for k in range(n):
            part = slice(k * 128 % 1024, k * 128 % 1024 + 128)
            opt.train_step(users[part], items[part], target[part], micro)

    return run


@pytest.mark.parametrize("changes", STEPS)
def test_a_steady_step_built_as_on_cuda_never_waits_for_the_device(
    tiny, quick, as_on_cuda, changes
):
    steps = _stepper(Trainer(tiny, None, quick.with_changes(**changes)), tiny, 64)
    steps(3)  # the first steps may set up state
    with SyncAudit() as audit:
        steps(10)
    assert not audit.counts, dict(audit.counts)


def test_the_cpu_step_still_uses_its_exact_size_tables(tiny, quick):
    """On the CPU data-dependent sizes are cheap and faster: the audit sees them there."""
    steps = _stepper(Trainer(tiny, None, quick.with_changes(row_sparse=True)), tiny, 128)
    with SyncAudit() as audit:
        steps(2)
    assert audit.counts["unique_consecutive (size depends on the data)"] == 2


def _syncs_per_fit(ratings, config) -> tuple[int, int, int]:
    """(syncs counted, batches run, batch reports) over a whole fit of `ratings`."""
    trainer = Trainer(ratings, None, config)
    with SyncAudit() as audit:
        reports = list(trainer.reports())
    n_batches = -(-ratings.n_ratings // trainer.batch_size) * config.epochs
    return audit.total, n_batches, sum(isinstance(r, BatchReport) for r in reports)


@pytest.mark.parametrize("changes", STEPS)
def test_the_training_loop_syncs_per_epoch_and_per_report_not_per_batch(quick, as_on_cuda, changes):
    config = quick.with_changes(epochs=2, report_every=10**6, **changes)
    small, small_batches, _ = _syncs_per_fit(planted_ratings(60, 40), config)
    big, big_batches, _ = _syncs_per_fit(planted_ratings(180, 120), config)
    assert big_batches >= 4 * small_batches
    assert big == small  # setup and a few per epoch, whatever the number of batches
    every_5 = config.with_changes(report_every=5)
    reported, _, n_reports = _syncs_per_fit(planted_ratings(180, 120), every_5)
    assert n_reports > 0 and reported == big + n_reports  # one read of the loss per report


def test_a_planted_sync_in_the_step_is_caught(tiny, quick, as_on_cuda, monkeypatch):
    """The loop test fails when a step waits: here a float() of the loss every batch."""
    config = quick.with_changes(epochs=1, report_every=10**6, row_sparse=True)
    real = Trainer._try_step

    def step_and_read(self, *args):
        out = real(self, *args)
        float(out)
        return out

    monkeypatch.setattr(Trainer, "_try_step", step_and_read)
    small, small_batches, _ = _syncs_per_fit(planted_ratings(60, 40), config)
    big, big_batches, _ = _syncs_per_fit(planted_ratings(180, 120), config)
    assert big - small == big_batches - small_batches
