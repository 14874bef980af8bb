"""Optimizers with decoupled weight decay: a strong decay on factors, a light one on biases."""

from __future__ import annotations

import torch
from torch import nn

from cfdesk.core.base_model import light_decay
from cfdesk.core.config import OPTIMIZERS, TrainConfig
from cfdesk.core.errors import TrainingError
from cfdesk.core.training.device import sync_free


def _param_groups(module: nn.Module, config: TrainConfig) -> list[dict]:
    """Biases carry the mean offsets the factors should not fight, so they decay less."""
    bias, other = [], []
    for name, param in module.named_parameters():
        (bias if light_decay(name) else other).append(param)
    return [
        {"params": other, "weight_decay": config.weight_decay},
        {"params": bias, "weight_decay": config.bias_weight_decay},
    ]


def build_optimizer(module: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    """AdamW (fastai's `wd` meaning: decay not scaled by the gradient) or SGD with momentum."""
    groups = _param_groups(module, config)
    if config.optimizer == "adamw":
        # fused: one kernel, step counts on the device (the default keeps them on the host)
        fused = sync_free(next(module.parameters()).device) or None
        return torch.optim.AdamW(groups, lr=config.lr, betas=(0.9, 0.99), eps=1e-8, fused=fused)
    if config.optimizer == "sgd":
        return torch.optim.SGD(groups, lr=config.lr, momentum=0.9)
    raise TrainingError(
        f"optimizer setting {config.optimizer!r} is unknown; use {', '.join(OPTIMIZERS)}"
    )


def set_lr_and_momentum(optimizer: object, lr: float, momentum: float) -> None:
    """Apply one step of the schedule; momentum is Adam's beta1 or SGD's momentum."""
    for group in optimizer.param_groups:
        group["lr"] = lr
        if "betas" in group:
            group["betas"] = (momentum, group["betas"][1])
        if "momentum" in group:
            group["momentum"] = momentum
