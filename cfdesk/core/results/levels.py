"""The chance of the top rating (P(5★) on a 1-5 scale) for models that predict a distribution
over the rating levels; other models have no such figure."""

from __future__ import annotations

import numpy as np
import torch

from cfdesk.core.fitted import FittedModel


def has_levels(fitted: FittedModel) -> bool:
    """Whether the model predicts a probability for each rating level (the dist model)."""
    return hasattr(fitted.module, "level_probabilities")


def top_level_name(fitted: FittedModel) -> str:
    """How the column is headed: P(5★) for the model's highest level."""
    return f"P({float(fitted.module.levels[-1]):g}★)"


@torch.no_grad()
def top_level_chance(
    fitted: FittedModel, item_idx: np.ndarray, user_vector: torch.Tensor
) -> np.ndarray:
    """P(highest rating level) of each item for one user vector (a trained user's
    `user_embeddings()` row, or a folded-in user's vector)."""
    items = torch.as_tensor(np.asarray(item_idx, dtype=np.int64))
    vectors = user_vector.float().view(1, -1).expand(len(items), -1)
    return fitted.module.vector_level_probabilities(vectors, items)[:, -1].numpy()


def user_vector(fitted: FittedModel, user_idx: int) -> torch.Tensor:
    """A trained user's vector, as `top_level_chance` takes it."""
    return fitted.module.user_vector(int(user_idx)).detach()
