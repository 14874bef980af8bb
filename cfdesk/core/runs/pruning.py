"""Optuna's median rule, applied among trials of the same model kind: kinds learn at different
paces (autorec is still far off at mid-schedule when dotbias is nearly done), and an ensemble
wants good trials of every kind, not only of the kind that leads."""

from __future__ import annotations

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState


def _best_until(trial: FrozenTrial, step: int) -> float | None:
    """The trial's lowest reported value at or before `step` (None before any report)."""
    values = [v for s, v in trial.intermediate_values.items() if s <= step]
    return min(values) if values else None


class KindMedianPruner(optuna.pruners.BasePruner):
    """Prune a trial whose best value so far is worse than the median of complete trials of
    its kind at the same step, once `n_startup_trials` of its kind have completed."""

    def __init__(self, n_startup_trials: int = 5, n_warmup_steps: int = 50) -> None:
        self.n_startup_trials, self.n_warmup_steps = n_startup_trials, n_warmup_steps

    def prune(self, study: optuna.Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None or step < self.n_warmup_steps:
            return False
        kind = trial.params.get("model")
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        peers = [t.intermediate_values[step] for t in complete
                 if t.params.get("model") == kind and step in t.intermediate_values]  # fmt: skip
        if len(peers) < self.n_startup_trials:
            return False
        return _best_until(trial, step) > float(np.median(peers))
