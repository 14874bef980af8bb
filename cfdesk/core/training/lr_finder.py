"""fastai-style learning-rate finder: an exponential sweep on a copy of the model."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import torch

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.model import CollabModel, make_model
from cfdesk.core.training import batching
from cfdesk.core.training.device import cpu_threads_for, pick_device
from cfdesk.core.training.optim import build_optimizer, set_lr_and_momentum

DIVERGE = 4.0  # stop once the smoothed loss exceeds this multiple of the best (fastai)
# Measured by bench/bench_lr_finder.py (docs/tuning.md): a tenth of the lowest loss's rate came
# closest to the default rate's validation RMSE; fastai's valley (the old rule) trained worse
# than the default in 4 of 6 cases, by up to 0.59 RMSE. No curve rule was never worse, so the app
# also checks the suggestion against the rate already set (lr_check.py).
SUGGESTION_RULE = "a tenth of the rate with the lowest loss (fastai's lr_min)"


@dataclass(frozen=True)
class LRFinderStep:
    """Progress of the sweep, for a progress bar and a live curve."""

    step: int
    n_steps: int
    lr: float
    loss: float  # smoothed training loss (MSE; cross-entropy for the dist model)


@dataclass(frozen=True)
class LRFinderResult:
    """The curve and the suggestion; `config_lr` is the value to put in TrainConfig.lr."""

    lrs: list[float]
    losses: list[float]
    suggestion: float  # at the sweep's batch size (SUGGESTION_RULE)
    batch_size: int
    config_lr: float  # the suggestion rescaled to TrainConfig.lr_batch


def valley(lrs: list[float], losses: list[float]) -> float:
    """fastai's valley: the middle of the longest falling stretch, a bit past its start."""
    n = len(losses)
    if n < 3:
        return lrs[0] if lrs else math.nan
    run = [1] * n
    start = end = 0
    for i in range(1, n):
        for j in range(i):
            if losses[i] < losses[j] and run[i] < run[j] + 1:
                run[i] = run[j] + 1
        if run[end] < run[i]:
            end, start = i, i - run[i]
    third = (end - start) / 3
    return lrs[min(n - 1, start + int(third) + int(third / 2))]


def steepest(lrs: list[float], losses: list[float]) -> float:
    """fastai's steep: where the loss falls fastest against log(rate)."""
    if len(losses) < 3:
        return lrs[0] if lrs else math.nan
    slopes = [
        (losses[i + 1] - losses[i]) / (math.log(lrs[i + 1]) - math.log(lrs[i]))
        for i in range(len(losses) - 1)
    ]
    return lrs[slopes.index(min(slopes)) + 1]


def minimum_over_ten(lrs: list[float], losses: list[float]) -> float:
    """fastai's lr_min: a tenth of the rate with the lowest loss."""
    if not losses:
        return math.nan
    return lrs[losses.index(min(losses))] / 10


class LRFinder:
    """Iterate `steps()` for progress; `stop()` to cancel; then `result()`."""

    def __init__(
        self,
        train: Ratings,
        config: TrainConfig,
        model: CollabModel | None = None,
        start_lr: float = 1e-7,
        end_lr: float = 10.0,
        n_steps: int = 200,
    ) -> None:
        self.config, self.train = config, train
        self.device, _ = pick_device(config.device, train.n_ratings)
        source = model if model is not None else make_model(config, train)
        self.module = copy.deepcopy(source).to(self.device)  # the caller's model stays as it was
        self.batch_size = batching.effective_batch(config, train.n_ratings)
        self.start_lr, self.end_lr, self.n_steps = start_lr, end_lr, n_steps
        self.lrs: list[float] = []
        self.losses: list[float] = []
        self._stopped = False

    def stop(self) -> None:
        """Cancel at the next step; the curve so far stays available."""
        self._stopped = True

    def steps(self) -> Iterator[LRFinderStep]:
        """Run the sweep, one report per step, until the end, divergence or stop()."""
        n_params = sum(p.numel() for p in self.module.parameters())
        with cpu_threads_for(self.device, n_params):
            yield from self._sweep()

    def _sweep(self) -> Iterator[LRFinderStep]:
        dev, n = self.device, self.train.n_ratings
        users = torch.as_tensor(self.train.user_idx, dtype=torch.long).to(dev)
        items = torch.as_tensor(self.train.item_idx, dtype=torch.long).to(dev)
        target = torch.as_tensor(self.train.rating).to(dev)
        opt = build_optimizer(self.module, self.config)
        gen = torch.Generator(device=dev).manual_seed(self.config.seed)
        perm = torch.randperm(n, generator=gen, device=dev)
        smooth, best, ratio = 0.0, math.inf, self.end_lr / self.start_lr
        self.module.train()
        for step in range(self.n_steps):
            if self._stopped:
                return
            lr = self.start_lr * ratio ** (step / max(1, self.n_steps - 1))
            set_lr_and_momentum(opt, lr, 0.9)
            start = (step * self.batch_size) % n
            if start + self.batch_size > n:
                perm = torch.randperm(n, generator=gen, device=dev)
                start = 0
            idx = perm[start : start + self.batch_size]
            opt.zero_grad(set_to_none=True)
            outputs = self.module.fit_outputs(users[idx], items[idx])
            loss = self.module.loss(outputs, target[idx])[0] / len(idx)
            loss.backward()
            opt.step()
            smooth = 0.98 * smooth + 0.02 * float(loss.detach())
            value = smooth / (1 - 0.98 ** (step + 1))
            if not math.isfinite(value) or value > DIVERGE * best:
                return
            best = min(best, value)
            self.lrs.append(lr)
            self.losses.append(value)
            yield LRFinderStep(step + 1, self.n_steps, lr, value)

    def result(self) -> LRFinderResult:
        """The curve so far and its suggestion (SUGGESTION_RULE)."""
        suggestion = minimum_over_ten(self.lrs, self.losses)
        config_lr = (
            batching.scaled_lr(suggestion, self.batch_size, self.config.lr_batch)
            if math.isfinite(suggestion)
            else math.nan
        )
        return LRFinderResult(
            list(self.lrs), list(self.losses), suggestion, self.batch_size, config_lr
        )


def find_lr(
    train: Ratings,
    config: TrainConfig,
    model: CollabModel | None = None,
    progress: Callable[[LRFinderStep], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    n_steps: int = 200,
) -> LRFinderResult:
    """Run the whole sweep; `progress` sees each step, `should_stop` can cancel it."""
    finder = LRFinder(train, config, model, n_steps=n_steps)
    for step in finder.steps():
        if progress is not None:
            progress(step)
        if should_stop is not None and should_stop():
            finder.stop()
    return finder.result()
