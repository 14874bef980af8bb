"""Training settings: one frozen dataclass, persisted with dataclasses.asdict."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace

from cfdesk.core.errors import TrainingError

MODEL_KINDS = ("dot", "dotbias", "nn", "dist", "autorec")
OPTIMIZERS = ("adamw", "sgd")
SCHEDULES = ("onecycle", "cosine", "constant")
SPLITS = ("random", "temporal")


@dataclass(frozen=True)
class TrainConfig:
    """Every field has a default; docs/training.md says how the defaults were tuned."""

    model: str = "dotbias"
    n_factors: int = 50
    epochs: int = 10
    lr: float = 0.01  # peak rate at batch `lr_batch`; other batch sizes scale it
    weight_decay: float = 1.5  # decoupled (AdamW / fastai `wd`), on factors and layers
    bias_weight_decay: float = 0.01  # biases hold mean offsets: decay them far less
    batch_size: int = 0  # 0 = automatic (depends on the data size); else a power of two
    lr_batch: int = 1024  # the batch size `lr` is meant for
    accum_steps: int = 1
    optimizer: str = "adamw"
    schedule: str = "onecycle"
    y_range: tuple[float, float] | None = None  # None: data's scale widened by 1/8 each side
    use_y_range: bool = True
    nn_layers: tuple[int, ...] = (100,)
    valid_frac: float = 0.1
    split: str = "random"
    seed: int = 42
    device: str = "auto"
    patience: int = 0  # early stopping on validation RMSE; 0 = off
    keep_best: bool = True  # keep the best validation epoch's weights; False: the last epoch's
    bf16: bool = False
    tf32: bool = False
    auto_fit: bool = False
    row_sparse: bool | None = None  # update only rows a batch uses; None = when tables are big
    implicit: bool | None = None  # SVD++-style term from which items users rated; None = unless
    # row-sparse (see implicit.py)
    report_every: int = 0  # batches between progress reports; 0 = about 20 per epoch

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (tuples become lists)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> TrainConfig:
        """Rebuild from a dict, ignoring unknown keys (settings from other versions)."""
        known = {f.name for f in fields(cls)}
        clean = {k: v for k, v in data.items() if k in known}
        for key in ("y_range", "nn_layers"):
            if isinstance(clean.get(key), list):
                clean[key] = tuple(clean[key])
        return cls(**clean)

    def with_changes(self, **changes: object) -> TrainConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def check(self) -> None:
        """Refuse settings that cannot train, with a sentence naming the setting."""
        for name, value, allowed in (
            ("model", self.model, MODEL_KINDS),
            ("optimizer", self.optimizer, OPTIMIZERS),
            ("schedule", self.schedule, SCHEDULES),
            ("split", self.split, SPLITS),
        ):
            if value not in allowed:
                raise TrainingError(
                    f"{name} setting {value!r} is unknown; use one of {', '.join(allowed)}"
                )
        if self.epochs < 1 or self.n_factors < 1:
            raise TrainingError("epochs and n_factors settings must be at least 1")
        if not (self.lr > 0 and math.isfinite(self.lr)):
            raise TrainingError(f"lr setting {self.lr} must be a positive number")
