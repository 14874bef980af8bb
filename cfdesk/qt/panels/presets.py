"""Named starting points for the training form."""

from __future__ import annotations

from cfdesk.core.config import TrainConfig


def fastbook_recipe() -> TrainConfig:
    """fastbook chapter 8: EmbeddingDotBias, 50 factors, 5 epochs one-cycle at 5e-3, wd 0.1."""
    return TrainConfig(
        model="dotbias",
        n_factors=50,
        y_range=(0.0, 5.5),
        epochs=5,
        schedule="onecycle",
        lr=5e-3,
        lr_batch=64,
        weight_decay=0.1,
        bias_weight_decay=0.1,
        batch_size=64,
        accum_steps=1,
    )


PRESETS = {"Fast default": TrainConfig, "fastbook recipe (slow: batch 64)": fastbook_recipe}
