"""Injected faults in training, saving and export, each checked for what a user would notice.

Every `run_*` function injects one fault, checks the promises (a typed error with a sentence,
old files byte-identical, no temp files, the next attempt succeeds) with asserts, and returns a
short outcome. Shared by tests/reliability/test_faults.py (a few k) and scripts/fault_matrix.py
(every k).
"""

from __future__ import annotations

import errno
import itertools
import math
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import torch

from cfdesk.core import atomic
from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings, ratings_from_raw
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import CfdeskError, OutOfMemoryError, TrainingError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.results.recommend import Recommender
from cfdesk.core.storage.embeddings import export_projector
from cfdesk.core.storage.export import export_predictions, export_recommendations
from cfdesk.core.storage.model_file import load_model, save_model
from cfdesk.core.training.reports import BatchReport, EpochReport
from cfdesk.core.training.trainer import Trainer

CONFIG = TrainConfig(n_factors=4, epochs=3, batch_size=128, lr_batch=128, device="cpu")


class ConsumerError(Exception):
    """What a report consumer (a chart, a logger) raises in the middle of training."""


def planted(n_users: int = 60, n_items: int = 40, seed: int = 0) -> Ratings:
    """About 1,200 ratings from a rank-3 taste model: a few epochs train in a blink."""
    rng = np.random.default_rng(seed)
    truth = 3.0 + rng.normal(size=(n_users, 3)) @ rng.normal(size=(3, n_items)) / 2
    users, items = np.nonzero(rng.random((n_users, n_items)) < 0.5)
    values = np.clip(truth[users, items] + rng.normal(scale=0.3, size=len(users)), 1, 5)
    return ratings_from_raw(users + 1, items + 1001, values.astype(np.float32))


def n_steps(ratings: Ratings, config: TrainConfig = CONFIG) -> int:
    """Optimizer steps in a whole run (the range of k for step faults)."""
    train, _, _ = prepare_split(ratings, config)
    return math.ceil(train.n_ratings / config.batch_size) * config.epochs


def _trainer(ratings: Ratings, config: TrainConfig) -> Trainer:
    train, valid, test = prepare_split(ratings, config)
    return Trainer(train, valid, config, test)


@contextmanager
def _at_step(k: int, action: Callable[[Trainer], None], before: bool) -> Iterator[None]:
    """Run `action` on the trainer at the k-th optimizer step (before or after the real step)."""
    real = Trainer._try_step
    calls = itertools.count(1)

    def step(self: Trainer, *args: object) -> torch.Tensor:
        hit = next(calls) == k
        if hit and before:
            action(self)
        out = real(self, *args)
        if hit and not before:
            action(self)
        return out

    with mock.patch.object(Trainer, "_try_step", step):
        yield


def _oom(trainer: Trainer) -> None:
    raise torch.OutOfMemoryError("CUDA out of memory (injected)")


def _poison(trainer: Trainer) -> None:
    with torch.no_grad():
        next(trainer.module.parameters()).fill_(math.nan)


def _usable(trainer: Trainer) -> FittedModel:
    """result() works and predicts finite ratings from the last completed epoch."""
    fitted = trainer.result()
    assert fitted.metrics["epochs_run"] == len(trainer.history)
    if trainer.history:
        users, items = np.arange(fitted.n_users), np.zeros(fitted.n_users, dtype=np.int64)
        assert np.isfinite(fitted.predict(users, items)).all(), "kept weights are not finite"
    return fitted


def _trains_again(ratings: Ratings, config: TrainConfig) -> None:
    trainer = _trainer(ratings, config)
    for _ in trainer.reports():
        pass
    assert trainer.result().metrics["outcome"] == "finished"


def run_oom(ratings: Ratings, k: int, auto_fit: bool) -> str:
    """Out of memory at step k: auto_fit goes on with smaller micro-batches, else a sentence."""
    config = CONFIG.with_changes(auto_fit=auto_fit, report_every=1)
    trainer = _trainer(ratings, config)
    notes = []
    with _at_step(k, _oom, before=True):
        try:
            for report in trainer.reports():
                if isinstance(report, BatchReport) and report.message:
                    notes.append(report.message)
        except OutOfMemoryError as exc:
            assert not auto_fit and "out of memory" in str(exc) and exc.accum_steps == 2
            _usable(trainer)
            _trains_again(ratings, config.with_changes(accum_steps=exc.accum_steps))
            return "refused with advice"
    assert auto_fit and trainer.accum_steps == 2
    assert trainer.result().metrics["outcome"] == "finished"
    assert "out of memory" in "".join(notes) or k == n_steps(ratings, config), "no word of it"
    return "recovered"


def run_nan(ratings: Ratings, k: int) -> str:
    """Weights turn NaN after step k: TrainingError naming the epoch, last good epoch kept."""
    trainer = _trainer(ratings, CONFIG.with_changes(report_every=1))
    with _at_step(k, _poison, before=False):
        try:
            for _ in trainer.reports():
                pass
        except TrainingError as exc:
            assert re.search(r"epoch \d+ \(learning rate", str(exc)), str(exc)
            _usable(trainer)
            _trains_again(ratings, CONFIG)
            return "refused"
    raise AssertionError("NaN weights went unnoticed")


def run_consumer_error(ratings: Ratings, k: int) -> str:
    """The loop reading reports raises at the k-th report: result() still works."""
    trainer = _trainer(ratings, CONFIG.with_changes(report_every=1))
    seen = 0
    try:
        for seen, _ in enumerate(trainer.reports(), 1):
            if seen == k:
                raise ConsumerError(f"chart broke at report {k}")
    except ConsumerError:
        pass
    else:
        return "not reached"
    fitted = _usable(trainer)
    assert fitted.metrics["outcome"] == "cancelled"
    assert all(isinstance(r, EpochReport) for r in trainer.history)
    _trains_again(ratings, CONFIG)
    return "consistent"


# ---- writes ---------------------------------------------------------------------------------

WRITE_FAULTS = ("disk full", "disk full at fsync", "read-only folder", "read-only target")


class _FullDisk:
    """A file object that accepts `room` characters, then fails like a full disk."""

    def __init__(self, inner, room: int) -> None:
        self._inner, self._room = inner, room

    def write(self, data):
        self._room -= len(data)
        if self._room < 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self._inner.write(data)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._inner.close()


def _nth_call_fails(real: Callable, k: int, error: OSError) -> Callable:
    calls = itertools.count()

    def call(*args: object) -> object:
        if next(calls) == k:
            raise error
        return real(*args)

    return call


@contextmanager
def write_fault(kind: str, k: int = 0) -> Iterator[None]:
    """Patch atomic_write's OS calls: ENOSPC after k characters or at the (k+1)-th fsync, EACCES
    on creating the temp file or at the (k+1)-th rename."""
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES))
    if kind == "disk full":
        real = os.fdopen
        patch = mock.patch.object(os, "fdopen", lambda *a, **kw: _FullDisk(real(*a, **kw), k))
    elif kind == "disk full at fsync":
        patch = mock.patch.object(os, "fsync", _nth_call_fails(os.fsync, k, full))
    elif kind == "read-only folder":
        patch = mock.patch.object(atomic.tempfile, "mkstemp", side_effect=denied)
    else:
        patch = mock.patch.object(os, "replace", _nth_call_fails(os.replace, k, denied))
    with patch:
        yield


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def _writers(fitted: FittedModel, folder: Path) -> dict[str, Callable[[Path], object]]:
    """Each way cfdesk writes a user's file, as path -> write."""
    users, items = fitted.users.ids[:5].repeat(3), np.tile(fitted.items.ids[:3], 5)
    return {
        "model.cfmodel": lambda p: save_model(fitted, p),
        "recommendations.csv": lambda p: export_recommendations(Recommender(fitted), p, n=5),
        "predictions.csv": lambda p: export_predictions(fitted, users, items, p),
        "projector": lambda p: export_projector(fitted, p),
    }


def run_write_fault(
    models: tuple[FittedModel, FittedModel], folder: Path, what: str, kind: str, k: int = 0
) -> str:
    """A write fails: WriteError naming the file, old files intact, no temp files, retry works.

    `models`: the one that wrote the previous files, and a different one whose write fails.
    """
    target = folder / what
    _writers(models[0], folder)[what](target)  # the previous version the failure must not touch
    write = _writers(models[1], folder)[what]
    where = target if target.is_dir() else folder
    before = _files(where)
    try:
        with write_fault(kind, k):
            write(target)
    except CfdeskError as exc:
        assert target.name in str(exc) or str(target) in str(exc), str(exc)
        outcome = "refused"
    else:
        outcome = "written"  # the fault came after the last byte (k too large)
    after = _files(where)
    assert after.keys() == before.keys(), f"left {sorted(after.keys() - before.keys())}"
    if outcome == "refused":
        assert after == before, "a previous file changed"
    write(folder / f"retry-{what}")
    if what == "model.cfmodel":
        load_model(target)
    return outcome
