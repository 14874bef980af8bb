"""The chosen trials trained again on every training row, each over a few seeds (a bag):
the same settings the validation rows judged, now with those rows too."""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np

from cfdesk.core.data.ratings import Ratings
from cfdesk.core.fitted import FittedModel
from cfdesk.core.runs.events import TuneStage
from cfdesk.core.runs.library import Blend
from cfdesk.core.training.trainer import Trainer


def bag_seeds(seed: int, bag: int) -> list[int]:
    """The seeds of one configuration's bag: the trial's own first (the model the validation
    rows judged), then the next ones."""
    return [seed + k for k in range(bag)]


def refit_members(
    ratings: Ratings, choice: Blend, bag: int, stopped: Callable[[], bool]
) -> Generator[TuneStage, None, tuple[list[FittedModel], np.ndarray] | None]:
    """(members, weights): each chosen configuration trained on every row of `ratings` once per
    seed of its bag, each seed's model a member with an equal share of the configuration's
    validation weight. None when Stop came first."""
    members, weights = [], []
    jobs = [(e, w, s) for e, w in zip(choice.entries, choice.weights, strict=True)
            for s in bag_seeds(e.config.seed, bag)]  # fmt: skip
    for k, (entry, weight, seed) in enumerate(jobs, start=1):
        yield TuneStage(f"Training the chosen settings on every training rating ({k}/{len(jobs)})")
        trainer = Trainer(ratings, None, entry.config.with_changes(seed=seed))
        for _ in trainer.reports():
            if stopped():
                trainer.stop()
        if stopped():
            return None
        fitted = trainer.result()
        fitted.metrics["trial"] = entry.number
        fitted.metrics["trial_valid_rmse"] = entry.valid_rmse
        members.append(fitted)
        weights.append(weight / bag)
    return members, np.asarray(weights)
