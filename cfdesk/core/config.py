"""Training settings: one frozen dataclass, persisted with dataclasses.asdict."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

OPTIMIZERS = ("adamw", "sgd")
SCHEDULES = ("onecycle", "cosine", "constant")
SPLITS = ("random", "temporal")


@dataclass(frozen=True)
class TrainConfig:
    """Every field has a default; the training engine documents and tunes them."""

    model: str = "dotbias"
    n_factors: int = 50
    epochs: int = 5
    lr: float = 5e-3
    weight_decay: float = 0.1
    batch_size: int = 64
    accum_steps: int = 1
    optimizer: str = "adamw"
    schedule: str = "onecycle"
    y_range: tuple[float, float] | None = None  # None: derived from the data's scale
    use_y_range: bool = True
    nn_layers: tuple[int, ...] = (100,)
    valid_frac: float = 0.1
    split: str = "random"
    seed: int = 42
    device: str = "auto"
    patience: int = 0  # early stopping on validation RMSE; 0 = off
    bf16: bool = False
    tf32: bool = False
    auto_fit: bool = False

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
