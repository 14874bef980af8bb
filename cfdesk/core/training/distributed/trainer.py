"""Training over processes (DSGD strata): the single-process schedule, batch size, learning rate
and steps, with the user tables split by part and the item tables by rotating shard
(docs/distributed.md). Every process runs the same loop; reports are the same on each."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

import psutil
import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.fitted import FittedModel
from cfdesk.core.model import CollabModel, build_model, default_y_range
from cfdesk.core.training import batching
from cfdesk.core.training.device import device_name
from cfdesk.core.training.distributed.agree import Part
from cfdesk.core.training.distributed.assemble import assemble, own_share
from cfdesk.core.training.distributed.blocks import HeldOutBlocks, TrainBlocks
from cfdesk.core.training.distributed.comm import Comm
from cfdesk.core.training.distributed.local_step import LocalStep
from cfdesk.core.training.distributed.placement import ItemPlacement
from cfdesk.core.training.distributed.plan import (
    ShardLayout,
    batch_bounds,
    steps_per_stratum,
    stratum_offsets,
)
from cfdesk.core.training.distributed.scoring import SharedBiases, score_held_out
from cfdesk.core.training.distributed.sharded_implicit import ShardedImplicit
from cfdesk.core.training.distributed.sync import replicated_parameters
from cfdesk.core.training.divergence import finite_loss
from cfdesk.core.training.implicit import wants_implicit
from cfdesk.core.training.memory import memory_sample
from cfdesk.core.training.optim import set_lr_and_momentum
from cfdesk.core.training.reports import (
    BatchReport,
    EpochReport,
    FitStarted,
    kept_sentence,
    run_facts,
)
from cfdesk.core.training.row_sparse import wants_row_sparse
from cfdesk.core.training.schedule import lr_and_momentum

Report = FitStarted | BatchReport | EpochReport
SMOOTHING = 0.98  # as the single-process trainer


def _y_range(config: TrainConfig, part: Part) -> tuple[float, float] | None:
    if not config.use_y_range:
        return None
    return config.y_range or default_y_range(part.low, part.high)


def _process_seed(config: TrainConfig, rank: int) -> int:
    """Process 0 seeds as one process would (the same initial weights and order with N = 1)."""
    return config.seed + 1_000_003 * rank


def _local_model(config: TrainConfig, part: Part, rows: int, y_range, rank: int) -> CollabModel:
    """This process's users and one item shard's rows, initialised as `make_model` does."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_process_seed(config, rank))
        return build_model(
            config.model, part.train.n_users, rows, config.n_factors, y_range, config.nn_layers
        )


def _whole_model_on_meta(config: TrainConfig, part: Part, y_range) -> torch.nn.Module:
    """The model one process would train (on the meta device: shapes only, no memory)."""
    with torch.device("meta"):
        return build_model(
            config.model, part.n_users, part.train.n_items, config.n_factors, y_range,
            config.nn_layers,
        )  # fmt: skip


def _patience_spent(history: list[EpochReport], patience: int) -> bool:
    """Early stopping: the last `patience` epochs (patience > 0) all failed to improve."""
    since_best = next((k for k, r in enumerate(reversed(history)) if r.is_best), len(history))
    return patience > 0 and since_best >= patience


class ShardedTrainer:
    """Iterate `reports()` on every process, then call `result()` on every process: process 0
    gets the whole FittedModel, the others None."""

    def __init__(self, part: Part, config: TrainConfig, comm: Comm) -> None:
        config.check()
        if config.model == "autorec":
            raise TrainingError(
                "the autorec model computes each item from all its raters, which no single "
                "process holds: train it without --distributed"
            )
        if part.n_train == 0:
            raise TrainingError(
                "the training split has no ratings left to train on; lower valid_frac or use a "
                "bigger file"
            )
        self.part, self.comm, self.device = part, comm, comm.device
        self._rss_after_load = psutil.Process().memory_info().rss
        self.batch_size = batching.effective_batch(config, part.n_train)
        batching.micro_batch(self.batch_size, config.accum_steps)
        self.lr = batching.scaled_lr(config.lr, config.lr_batch, self.batch_size)
        y_range = _y_range(config, part)
        self.row_sparse = wants_row_sparse(
            config.row_sparse, _whole_model_on_meta(config, part, y_range)
        )
        self.layout = ShardLayout.balanced(part.item_counts, comm.size)
        self.module = _local_model(config, part, self.layout.size, y_range, comm.rank)
        self.module.to(self.device)
        comm.copy_from_first_(
            [p.data for p in replicated_parameters(self.module)], "the MLP weight copy"
        )
        implicit = wants_implicit(config, self.row_sparse)
        self.implicit = (
            ShardedImplicit(self.module, part.train, self.layout, comm) if implicit else None
        )
        self.step = LocalStep(self.module, config, self.lr, self.row_sparse, self.implicit, comm)
        self.placement = ItemPlacement(comm, self.step.item_params, self.step.item_moments)
        self._weights = sum(p.numel() for p in self.module.parameters())  # y included
        self.config = config.with_changes(y_range=self.module.y_range, batch_size=self.batch_size)
        self.blocks = TrainBlocks(part.train, self.layout, self.device)
        self.valid = self._held_out(part.valid)
        self.steps_per_stratum = steps_per_stratum(part.n_train, self.batch_size, comm.size)
        self.biases = SharedBiases.fit(part.train, comm)
        self.history: list[EpochReport] = []
        self._snapshot: tuple[dict, int, int] | None = None  # weights, offset, epoch
        self._best = math.inf
        self._fit_seconds = 0.0
        self._outcome = "not started"

    def _held_out(self, rows) -> HeldOutBlocks:
        part = self.part
        blocks = HeldOutBlocks(rows, part.train, part.item_counts, self.layout, self.device)
        blocks.count_everywhere(self.comm)
        return blocks

    def _started(self) -> FitStarted:
        valid = self.valid
        target = valid.rows if valid.n_total else self.part.train
        cfg = self.config
        return FitStarted(
            device=str(self.device),
            device_name=f"{self.comm.size} process{'es' if self.comm.size > 1 else ''} on "
            f"{device_name(self.device)} each",
            model=cfg.model,
            n_train=self.part.n_train,
            n_valid=valid.n_total,
            n_valid_skipped=valid.n_skipped_total,
            baselines=self.biases.rmses(target, self.comm),
            batch_size=self.batch_size,
            accum_steps=cfg.accum_steps,
            lr=self.lr,
            lr_rule=batching.lr_rule_sentence(cfg, self.batch_size, self.lr),
            epochs=cfg.epochs,
            n_batches=self.steps_per_stratum * self.comm.size,
        )

    def reports(self) -> Iterator[Report]:
        """Train, yielding FitStarted, then BatchReports and one EpochReport per epoch."""
        if self._outcome != "not started":
            raise TrainingError("this trainer already ran; start a new one to train again")
        self._outcome = "running"
        yield self._started()
        yield from self._epochs()
        if self._snapshot is not None:
            weights, offset, _ = self._snapshot
            self.module.load_state_dict(weights)
            self.placement.settle_at(offset)
            if self.implicit is not None:
                self.implicit.refresh()

    def _epochs(self) -> Iterator[Report]:
        cfg, comm = self.config, self.comm
        gen = torch.Generator(device=self.device).manual_seed(_process_seed(cfg, comm.rank))
        per_stratum = self.steps_per_stratum
        n_batches = per_stratum * comm.size
        total_steps, step = n_batches * cfg.epochs, 0
        every = cfg.report_every or max(1, n_batches // 20)
        smooth = torch.zeros((), dtype=torch.float64, device=self.device)
        for epoch in range(1, cfg.epochs + 1):
            t0 = time.perf_counter()
            self.module.train()
            sq_sum = torch.zeros((), dtype=torch.float64, device=self.device)
            for k, offset in enumerate(stratum_offsets(cfg.seed, epoch, comm.size)):
                self.placement.move_to(offset)
                block = self.blocks.shuffled_block(self.placement.shard, gen)
                bounds = batch_bounds(len(block), per_stratum).tolist()
                for b in range(per_stratum):
                    users, items, target = batching.unpack_rows(block[bounds[b] : bounds[b + 1]])
                    lr, mom = lr_and_momentum(cfg.schedule, self.lr, step / total_steps)
                    set_lr_and_momentum(self.step, lr, mom)
                    micro = max(1, math.ceil(len(target) / cfg.accum_steps))
                    sq = self.step.train_step(users, items, target, micro)
                    sq_sum += sq
                    step += 1
                    smooth = smooth * SMOOTHING + (1 - SMOOTHING) * sq / max(len(target), 1)
                    done = k * per_stratum + b + 1
                    if done % every == 0 and done < n_batches:
                        loss = math.sqrt(float(smooth) / (1 - SMOOTHING**step))  # this process's
                        yield BatchReport(epoch, done, n_batches, step / total_steps, loss, lr,
                                          memory_sample(self.device))  # fmt: skip
            yield self._end_epoch(epoch, sq_sum, lr, t0)
            if _patience_spent(self.history, cfg.patience):
                self._outcome = "stopped early"
                return
        self._outcome = "finished, best restored" if cfg.patience else "finished"

    def _end_epoch(self, epoch: int, sq_sum: torch.Tensor, lr: float, t0: float) -> EpochReport:
        comm = self.comm
        finite = all(bool(torch.isfinite(p).all()) for p in self.module.parameters())
        sums = torch.stack([sq_sum, sq_sum.new_tensor(float(self.blocks.n)),
                            sq_sum.new_tensor(float(finite))])  # fmt: skip
        sq, n, n_finite = comm.all_reduce_(sums, "the epoch totals").tolist()
        train_rmse = math.sqrt(finite_loss(torch.tensor(sq), epoch, lr) / n)
        if n_finite < comm.size:
            raise TrainingError(
                f"the model's weights became NaN or infinite at the end of epoch {epoch} "
                f"(learning rate {lr:.3g}); lower the learning rate"
            )
        train_seconds = time.perf_counter() - t0
        valid_rmse = valid_mae = math.nan
        if self.valid.n_total:
            valid_rmse, valid_mae = score_held_out(
                self.module, self.placement, self.valid, comm, "validation scoring"
            )
        seconds = time.perf_counter() - t0
        self._fit_seconds += seconds
        has_valid = not math.isnan(valid_rmse)
        is_best = valid_rmse < self._best if has_valid else True
        if is_best and has_valid:
            self._best = valid_rmse
        if is_best and has_valid and self.config.keep_best:  # else the last epoch is kept
            weights = {k: v.detach().clone() for k, v in self.module.state_dict().items()}
            self._snapshot = (weights, self.placement.offset, epoch)
        report = EpochReport(epoch, self.config.epochs, train_rmse, valid_rmse, valid_mae, lr,
                             seconds, n / train_seconds, is_best, memory_sample(self.device))  # fmt: skip
        self.history.append(report)
        return report

    def result(self, item_file=None) -> FittedModel | None:
        """Score the kept weights, gather every shard and return the whole model on process 0
        (None on the others); `item_file` is the titles file process 0 attaches, if any."""
        if self.implicit is not None:
            self.implicit.merge()
        comm, part = self.comm, self.part
        test = self._held_out(part.test)
        scores = {"valid": (math.nan, math.nan), "test": (math.nan, math.nan)}
        baselines: dict[str, dict[str, float]] = {"global_mean": {}, "user_item_bias": {}}
        for name, rows in (("valid", self.valid), ("test", test)):
            if rows.n_total:
                what = f"{'validation' if name == 'valid' else 'test'} scoring"
                scores[name] = score_held_out(self.module, self.placement, rows, comm, what)
                for kind, value in self.biases.rmses(rows.rows, comm).items():
                    baselines[kind][name] = value
        kept = self._snapshot[2] if self._snapshot else len(self.history)
        metrics = {
            "train_rmse": next((r.train_rmse for r in self.history if r.epoch == kept), math.nan),
            "kept_epoch": kept,
            "kept": kept_sentence(self.history, kept, self.config.keep_best),
            "valid_rmse": scores["valid"][0],
            "valid_mae": scores["valid"][1],
            "test_rmse": scores["test"][0],
            "test_mae": scores["test"][1],
            "n_train": part.n_train,
            "n_valid": self.valid.n_total,
            "n_valid_skipped": self.valid.n_skipped_total,
            "n_test": test.n_total,
            "n_test_skipped": test.n_skipped_total,
            "baselines": baselines,
            **run_facts(
                self.history,
                self._outcome,
                self._fit_seconds,
                self.device,
                self.batch_size,
                self.config.accum_steps,
                self.lr,
            ),
        }
        stats = {
            "ratings": part.train.n_ratings,
            "users": part.train.n_users,
            "weights": self._weights,
            "optimizer_state": self.step.state_size(),
            "rss_after_load_bytes": self._rss_after_load,
            "peak_device_bytes": (
                torch.cuda.max_memory_allocated(self.device) if self.device.type == "cuda" else None
            ),
        }
        share = own_share(self.module, part, self.placement.shard, stats, comm)
        shares = comm.gather_object(share, "the model assembly")
        if shares is None:
            return None
        history = [r.to_dict() for r in self.history]
        return assemble(shares, self.module, self.config, part, self.layout, history, metrics,
                        self._distributed_facts(), item_file)  # fmt: skip

    def _distributed_facts(self) -> dict:
        """What the metrics say about the job itself."""
        return {
            "processes": self.comm.size,
            "backend": "nccl" if self.device.type == "cuda" else "gloo",
            "schedule": "DSGD strata: users by part, item shards rotate",
            "strata_per_epoch": self.comm.size,
            "steps_per_stratum": self.steps_per_stratum,
            "row_sparse": self.row_sparse,
            "implicit": self.implicit is not None,
            "item_shard_rows": self.layout.size,
        }
