"""The training loop as a generator of small reports; stop at any batch, keep a usable model."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterator

import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import prepare_split
from cfdesk.core.errors import TrainingError
from cfdesk.core.fitted import FittedModel, build_fitted
from cfdesk.core.model import make_model
from cfdesk.core.training import batching
from cfdesk.core.training.device import cpu_threads_for, device_name, pick_device, synchronize
from cfdesk.core.training.divergence import check_weights, finite_loss
from cfdesk.core.training.evaluation import EvalRows, baselines_on, first_baselines
from cfdesk.core.training.implicit import ImplicitTerm, wants_implicit
from cfdesk.core.training.memory import memory_sample, release, reset_peak
from cfdesk.core.training.oom import out_of_memory_explained
from cfdesk.core.training.optim import set_lr_and_momentum
from cfdesk.core.training.precision import tf32_matmuls
from cfdesk.core.training.reports import (
    BatchReport,
    EpochReport,
    FitStarted,
    kept_sentence,
    run_facts,
)
from cfdesk.core.training.row_sparse import wants_row_sparse
from cfdesk.core.training.schedule import lr_and_momentum
from cfdesk.core.training.steps import Step, make_step

log = logging.getLogger(__name__)
Report = FitStarted | BatchReport | EpochReport
SMOOTHING = 0.98  # fastai's smoothed loss


class Trainer:
    """Trains one model; iterate `reports()`, call `stop()` from any thread, then `result()`."""

    def __init__(
        self,
        train: Ratings,
        valid: Ratings | None,
        config: TrainConfig,
        test: Ratings | None = None,
        between_batches: Callable[[], None] | None = None,
    ) -> None:
        """`between_batches` runs before every batch on the training thread (the app waits
        there while its UI thread paints, which would otherwise wait for the interpreter lock)."""
        config.check()
        if train.n_ratings == 0:
            raise TrainingError(
                f"{train.source or 'the training split'} has no ratings left to train on; "
                "lower valid_frac or use a bigger file"
            )
        self.device, self._device_note = pick_device(config.device, train.n_ratings)
        if self._device_note:
            log.info(self._device_note)
        self.train, self.valid, self.test = train, valid, test
        self.batch_size = batching.effective_batch(config, train.n_ratings)
        self.accum_steps = config.accum_steps
        batching.micro_batch(self.batch_size, self.accum_steps)
        self.lr = batching.scaled_lr(config.lr, config.lr_batch, self.batch_size)
        with self._guard("loading the model and the validation ratings"):
            self.module = make_model(config, train).to(self.device)
            self._row_sparse = wants_row_sparse(config.row_sparse, self.module)
            implicit = wants_implicit(config, self._row_sparse)
            self._implicit = ImplicitTerm(self.module, train, self.device) if implicit else None
            self._valid = EvalRows.build(valid, train, self.device, "valid")
        self.config = config.with_changes(
            y_range=self.module.y_range, batch_size=self.batch_size, accum_steps=self.accum_steps
        )
        self.history: list[EpochReport] = []
        self._stop = threading.Event()
        self._between_batches = between_batches
        self._snapshot: dict | None = None
        self._snapshot_epoch = 0  # the epoch whose weights the snapshot holds
        self._best = math.inf
        self._fit_seconds = 0.0
        self._outcome = "not started"
        self._note = ""

    def stop(self) -> None:
        """Ask the running generator to return at the next batch boundary (thread-safe)."""
        self._stop.set()

    def reports(self) -> Iterator[Report]:
        """Train, yielding FitStarted, then BatchReports and one EpochReport per epoch."""
        if self._outcome != "not started":
            raise TrainingError("this trainer already ran; start a new one to train again")
        self._outcome = "running"
        n_params = sum(p.numel() for p in self.module.parameters())
        nn_layers = self.module.kind == "nn"  # the only matmuls TF32 can speed up
        try:
            with (
                cpu_threads_for(self.device, n_params),
                tf32_matmuls(self.device, self.config.tf32, nn_layers),
                self._guard("training"),
            ):
                yield from self._run()
        finally:
            self._settle()

    def _settle(self) -> None:
        """At the end, on stop, close or error: the module takes the kept epoch's weights (the
        best validation epoch, or the last completed one), unless it holds them already."""
        if self._outcome == "running":
            self._outcome = "cancelled"
        last = self.history[-1].epoch if self.history else 0
        restore = self._outcome == "cancelled" or self._snapshot_epoch != last
        if self._snapshot is not None and restore:
            self.module.load_state_dict(self._snapshot, strict=False)
            if self._implicit is not None:
                self._implicit.refresh()

    def _started(self, n_batches: int) -> FitStarted:
        return FitStarted(
            device=str(self.device),
            device_name=device_name(self.device),
            model=self.config.model,
            n_train=self.train.n_ratings,
            n_valid=self._valid.n,
            n_valid_skipped=self._valid.n_skipped,
            baselines=first_baselines(self.train, self._valid),
            batch_size=self.batch_size,
            accum_steps=self.accum_steps,
            lr=self.lr,
            lr_rule=batching.lr_rule_sentence(self.config, self.batch_size, self.lr),
            epochs=self.config.epochs,
            n_batches=n_batches,
            device_note=self._device_note,
        )

    def _guard(self, doing: str):
        """Out of memory while `doing` becomes one clear error (see oom.py)."""
        micro = self.batch_size // self.accum_steps  # the error carries the settings as they are
        return out_of_memory_explained(self.device, doing, micro, self.accum_steps)

    def _run(self) -> Iterator[Report]:
        cfg, dev = self.config, self.device
        reset_peak(dev)
        with self._guard("loading the ratings"):
            columns = batching.device_tensors(self.train, dev)
            packed = batching.pack_rows(*columns)
            by_item = columns[1] if self.module.batches_by_item else None
            del columns  # only an item-grouped order needs a column again
            shuffled = torch.empty_like(packed)  # each epoch's order of the packed ratings
        n = len(packed)
        n_batches = math.ceil(n / self.batch_size)
        yield self._started(n_batches)
        opt = make_step(self.module, cfg, self.lr, self._row_sparse, self._implicit, dev)
        gen = torch.Generator(device=dev).manual_seed(cfg.seed)
        every = cfg.report_every or max(1, n_batches // 20)
        total_steps, step, bad_epochs = n_batches * cfg.epochs, 0, 0
        smooth = torch.zeros((), device=dev)
        for epoch in range(1, cfg.epochs + 1):
            t0 = time.perf_counter()
            self.module.train()
            with self._guard(f"shuffling the ratings for epoch {epoch}"):
                if by_item is None:
                    perm = batching.epoch_order(n, gen, dev)
                else:
                    perm = batching.item_grouped_order(by_item, self.train.n_items, gen, dev)
                torch.index_select(packed, 0, perm, out=shuffled)  # users, items, ratings at once
                del perm  # one buffer for every epoch: fresh pages cost a third of the gather
            sq_sum = torch.zeros((), device=dev)
            for b in range(n_batches):
                if self._stop.is_set():
                    return
                if self._between_batches is not None:
                    self._between_batches()
                batch = batching.unpack_rows(
                    shuffled[b * self.batch_size : (b + 1) * self.batch_size]
                )
                lr, mom = lr_and_momentum(cfg.schedule, self.lr, step / total_steps)
                set_lr_and_momentum(opt, lr, mom)
                sq = self._step(opt, *batch, epoch)
                sq_sum += sq
                step += 1
                smooth = smooth * SMOOTHING + (1 - SMOOTHING) * sq / len(batch[2])
                if (b + 1) % every == 0 and b + 1 < n_batches:
                    loss = math.sqrt(finite_loss(smooth, epoch, lr) / (1 - SMOOTHING**step))
                    yield BatchReport(
                        epoch,
                        b + 1,
                        n_batches,
                        step / total_steps,
                        loss,
                        lr,
                        memory_sample(dev),
                        self._take_note(),
                    )
            train_rmse = math.sqrt(finite_loss(sq_sum, epoch, lr) / n)
            check_weights(self.module, epoch, lr)
            synchronize(dev)
            train_seconds = time.perf_counter() - t0
            with self._guard(f"scoring the validation ratings after epoch {epoch}"):
                valid_rmse, valid_mae = self._valid.score(self.module)
            seconds = time.perf_counter() - t0
            self._fit_seconds += seconds
            report = self._end_epoch(
                epoch, train_rmse, valid_rmse, valid_mae, lr, seconds, n / train_seconds
            )
            yield report
            bad_epochs = 0 if report.is_best else bad_epochs + 1
            if cfg.patience and bad_epochs >= cfg.patience:
                self._outcome = "stopped early"
                return
        self._outcome = "finished"

    def _end_epoch(self, epoch, train_rmse, valid_rmse, valid_mae, lr, seconds, speed):
        has_valid = not math.isnan(valid_rmse)
        is_best = valid_rmse < self._best if has_valid else True
        if is_best:
            self._best = valid_rmse if has_valid else self._best
        if is_best or not self.config.keep_best:
            # weights only: buffers never change in a fit (an autorec's hold its training ratings)
            self._snapshot = {k: v.detach().clone() for k, v in self.module.named_parameters()}
            self._snapshot_epoch = epoch
        report = EpochReport(
            epoch,
            self.config.epochs,
            train_rmse,
            valid_rmse,
            valid_mae,
            lr,
            seconds,
            speed,
            is_best,
            memory_sample(self.device),
        )
        self.history.append(report)
        return report

    def _step(self, opt: Step, users, items, target, epoch: int) -> torch.Tensor:
        """One optimizer step, retried with half the micro-batch after running out of memory;
        returns the summed squared error."""
        while True:
            try:
                return self._try_step(opt, users, items, target)
            except torch.OutOfMemoryError:
                opt.zero_grad(set_to_none=True)
                release(self.device)
                self._shrink_after_oom(epoch)

    def _try_step(self, opt: Step, users, items, target) -> torch.Tensor:
        micro = batching.micro_batch(self.batch_size, self.accum_steps)
        return opt.train_step(users, items, target, micro)

    def _shrink_after_oom(self, epoch: int) -> None:
        """Halve the micro-batch (double accumulation): same updates, less memory per pass."""
        micro, accum = batching.after_out_of_memory(
            epoch, self.batch_size, self.accum_steps, self.config.auto_fit
        )
        self.accum_steps = accum
        self.config = self.config.with_changes(accum_steps=accum)
        self._note = (
            f"out of memory: now {accum} micro-batches of {micro} per step "
            f"(effective batch {self.batch_size} unchanged)"
        )
        log.warning(self._note)

    def _take_note(self) -> str:
        note, self._note = self._note, ""
        return note

    def result(self) -> FittedModel:
        """The model of the kept epoch (best or last completed), with metrics; safe after stop()."""
        with self._guard("scoring the held-out ratings and building the result"):
            return self._result()

    def _result(self) -> FittedModel:
        module = self.module if self._implicit is None else self._implicit.merged()
        test = EvalRows.build(self.test, self.train, self.device, "test")
        test_rmse, test_mae = test.score(module)
        valid_rmse, valid_mae = self._valid.score(module)
        kept = [r.train_rmse for r in self.history if r.epoch == self._snapshot_epoch]
        metrics = {
            "train_rmse": kept[0] if kept else math.nan,  # the epoch whose weights are kept
            "valid_rmse": valid_rmse,
            "valid_mae": valid_mae,
            "test_rmse": test_rmse,
            "test_mae": test_mae,
            "n_train": self.train.n_ratings,
            "n_valid": self._valid.n,
            "n_valid_skipped": self._valid.n_skipped,
            "n_test": test.n,
            "n_test_skipped": test.n_skipped,
            "baselines": baselines_on(self.train, self._valid, test),
            **run_facts(
                self.history,
                self._outcome,
                self._fit_seconds,
                self.device,
                self.batch_size,
                self.accum_steps,
                self.lr,
            ),
            "kept_epoch": self._snapshot_epoch,
            "kept": kept_sentence(self.history, self._snapshot_epoch, self.config.keep_best),
        }
        history = [r.to_dict() for r in self.history]
        return build_fitted(module, self.config, self.train, history, metrics, self.valid)


def fit(
    ratings: Ratings,
    config: TrainConfig | None = None,
    test: Ratings | None = None,
    on_report: Callable[[Report], None] | None = None,
) -> FittedModel:
    """Split, train to the end and return the model: the one-call path for scripts."""
    config = config or TrainConfig()
    train, valid, test = prepare_split(ratings, config, test)
    trainer = Trainer(train, valid, config, test)
    for report in trainer.reports():
        if on_report is not None:
            on_report(report)
    return trainer.result()
