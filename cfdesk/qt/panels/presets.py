"""Named starting points for the training form, and which one (if any) a config still is."""

from __future__ import annotations

import math
from dataclasses import fields

from cfdesk.core.config import TrainConfig
from cfdesk.core.training.batching import effective_batch

CUSTOM = "Custom"
# Where and how a run is measured, not how the model learns: no preset sets or compares these.
SITUATIONAL = frozenset(
    {"valid_frac", "split", "seed", "device", "patience", "keep_best", "report_every", "auto_fit"}
)


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


def apply_preset(name: str, current: TrainConfig) -> TrainConfig:
    """The preset's recipe with the current device, validation, seed and stopping settings."""
    kept = {name: getattr(current, name) for name in SITUATIONAL}
    return PRESETS[name]().with_changes(**kept)


def _same(field: str, preset: TrainConfig, config: TrainConfig, n_train: int | None) -> bool:
    want, have = getattr(preset, field), getattr(config, field)
    if field == "y_range" and want is None:
        return True  # the preset takes it from the data's scale, so any data's range matches
    if field == "batch_size" and want == 0 and have:
        # A trained model records the batch Automatic chose for its data.
        return n_train is not None and effective_batch(preset, n_train) == have
    if isinstance(want, float) and isinstance(have, (int, float)):
        return math.isclose(want, have, rel_tol=1e-6)
    return want == have


def matching_preset(config: TrainConfig, n_train: int | None = None) -> str:
    """The first preset whose recipe `config` follows, else CUSTOM; `n_train` (the training
    ratings) lets a trained model's concrete batch size match an Automatic preset."""
    recipe = [f.name for f in fields(TrainConfig) if f.name not in SITUATIONAL]
    for name, make in PRESETS.items():
        preset = make()
        if all(_same(field, preset, config, n_train) for field in recipe):
            return name
    return CUSTOM


def as_set(config: TrainConfig, n_train: int | None = None) -> TrainConfig:
    """A trained model's config as the form would have held it: where it follows a preset,
    the data-derived values (Automatic batch, y_range) go back to the preset's own."""
    name = matching_preset(config, n_train)
    if name == CUSTOM:
        return config
    preset = PRESETS[name]()
    return config.with_changes(batch_size=preset.batch_size, y_range=preset.y_range)
