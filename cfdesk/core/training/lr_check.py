"""Find LR's check: the curve's suggestion and the rate already set each train the current
settings on a validation split of the sweep's own training rows; the better one is suggested.

No rule read off the loss curve was never worse than the default rate (docs/tuning.md), so the
suggestion is tested before it is offered. Big data is checked on a random CHECK_RATINGS rows.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.data.split import random_split
from cfdesk.core.training.reports import EpochReport
from cfdesk.core.training.trainer import Trainer

CHECK_RATINGS = 1_000_000
CHECK_SHARE = 0.1  # of the checked rows held out to compare the two rates


@dataclass(frozen=True)
class LrCheck:
    """Validation RMSE after a fit at the rate already set and at the suggestion."""

    current_lr: float
    current_rmse: float
    suggested_lr: float
    suggested_rmse: float

    @property
    def keeps_current(self) -> bool:
        """The rate already set trained at least as well: keep it."""
        return not self.suggested_rmse < self.current_rmse

    @property
    def best_lr(self) -> float:
        return self.current_lr if self.keeps_current else self.suggested_lr


def check_rates(
    train: Ratings,
    config: TrainConfig,
    suggested_lr: float,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> LrCheck | None:
    """Fit `config` at its own rate and at `suggested_lr` (both meant for config.lr_batch);
    None when cancelled or when the suggestion is not a number."""
    if not math.isfinite(suggested_lr):
        return None
    rows = train
    if train.n_ratings > CHECK_RATINGS:
        rng = np.random.default_rng(config.seed)
        rows = train.subset(np.sort(rng.choice(train.n_ratings, CHECK_RATINGS, replace=False)))
    fit_rows, check_rows = random_split(rows, CHECK_SHARE, config.seed)
    rates = (config.lr, suggested_lr)
    rmses: list[float] = []
    for k, lr in enumerate(rates):
        if k and lr == config.lr:
            rmses.append(rmses[0])
            break
        trainer = Trainer(fit_rows, check_rows, config.with_changes(lr=lr, patience=0))
        for report in trainer.reports():
            if should_stop is not None and should_stop():
                trainer.stop()
                return None
            if progress is not None and isinstance(report, EpochReport):
                progress((k + report.epoch / report.epochs) / len(rates))
        rmses.append(trainer.result().metrics["valid_rmse"])
    return LrCheck(config.lr, rmses[0], suggested_lr, rmses[1])
