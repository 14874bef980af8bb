"""Learning-rate (and momentum) schedules over training, as a function of the fraction done."""

from __future__ import annotations

import math

from cfdesk.core.config import SCHEDULES
from cfdesk.core.errors import TrainingError


def _cos(start: float, end: float, pos: float) -> float:
    """Cosine ramp from start (pos 0) to end (pos 1), fastai's SchedCos."""
    return end + (start - end) / 2 * (1 + math.cos(math.pi * pos))


def lr_and_momentum(
    name: str, lr: float, frac: float, momentum: float = 0.9
) -> tuple[float, float]:
    """The rate and momentum (Adam's beta1) at `frac` in [0, 1] of training.

    One-cycle follows fastai's fit_one_cycle defaults: warm up from lr/25 for a quarter of the
    steps, anneal to lr/1e5, and cycle momentum 0.95 -> 0.85 -> 0.95.
    """
    frac = min(max(frac, 0.0), 1.0)
    if name == "onecycle":
        pct = 0.25
        if frac < pct:
            return _cos(lr / 25.0, lr, frac / pct), _cos(0.95, 0.85, frac / pct)
        pos = (frac - pct) / (1 - pct)
        return _cos(lr, lr / 1e5, pos), _cos(0.85, 0.95, pos)
    if name == "cosine":
        return _cos(lr, lr / 1e5, frac), momentum
    if name == "constant":
        return lr, momentum
    raise TrainingError(f"schedule setting {name!r} is unknown; use {', '.join(SCHEDULES)}")
