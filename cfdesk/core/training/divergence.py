"""Divergence checks: a NaN/inf loss or weight stops training with a sentence and advice."""

from __future__ import annotations

import math

import torch
from torch import nn

from cfdesk.core.errors import TrainingError


def finite_loss(value: torch.Tensor, epoch: int, lr: float) -> float:
    """One device sync per report; a NaN/inf loss stops training with advice."""
    out = float(value)
    if not math.isfinite(out):
        raise TrainingError(
            f"the training loss became {out} in epoch {epoch} (learning rate {lr:.3g}); "
            "lower the learning rate"
        )
    return out


def check_weights(module: nn.Module, epoch: int, lr: float) -> None:
    """The epoch's last step can diverge after its loss was counted: never keep such weights."""
    finite = torch.stack([torch.isfinite(p).all() for p in module.parameters()]).all()
    if not bool(finite):  # one wait for the device per epoch, not one per weight
        raise TrainingError(
            f"the model's weights became NaN or infinite at the end of epoch {epoch} "
            f"(learning rate {lr:.3g}); lower the learning rate"
        )
