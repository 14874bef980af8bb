"""Model construction and device data shared by the trainer and the LR finder."""

from __future__ import annotations

import math

import torch

from cfdesk.core import batching
from cfdesk.core.config import TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.model import MODEL_KINDS, CollabModel, build_model
from cfdesk.core.ratings import Ratings


def check_config(config: TrainConfig, train: Ratings) -> None:
    """Refuse settings (or data) that cannot train, with a sentence naming the setting."""
    if train.n_ratings == 0:
        raise TrainingError(
            f"{train.source or 'the training split'} has no ratings left to train on; "
            "lower valid_frac or use a bigger file"
        )
    if config.model not in MODEL_KINDS:
        kinds = ", ".join(MODEL_KINDS)
        raise TrainingError(f"model setting {config.model!r} is unknown; use one of {kinds}")
    if config.epochs < 1 or config.n_factors < 1:
        raise TrainingError("epochs and n_factors settings must be at least 1")
    if not (config.lr > 0 and math.isfinite(config.lr)):
        raise TrainingError(f"lr setting {config.lr} must be a positive number")


def make_model(config: TrainConfig, train: Ratings) -> CollabModel:
    """A fresh model for `train`, seeded so equal settings give equal weights."""
    y_range = None
    if config.use_y_range:
        scale = train.scale
        y_range = config.y_range or batching.default_y_range(scale.low, scale.high)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(config.seed)
        return build_model(
            config.model, train.n_users, train.n_items, config.n_factors, y_range, config.nn_layers
        )


def device_tensors(ratings: Ratings, device: torch.device) -> tuple[torch.Tensor, ...]:
    """Training data lives on the device; batches index it (no per-sample DataLoader)."""
    return (
        torch.as_tensor(ratings.user_idx, dtype=torch.long).to(device),
        torch.as_tensor(ratings.item_idx, dtype=torch.long).to(device),
        torch.as_tensor(ratings.rating).to(device),
    )
