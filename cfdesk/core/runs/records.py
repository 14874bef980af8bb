"""What the run store hands back: plain frozen records, JSON-ready through `to_dict()`."""

from __future__ import annotations

import json
import math
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import datetime

STATUSES = ("running", "finished", "stopped", "failed", "interrupted", "pruned")


def clean_json(value: object) -> object:
    """NaN and infinities become None (JSON has no NaN); tuples become lists."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return clean_json(value.item())
    return value


def dumps(value: object) -> str:
    """Compact, strict JSON for a TEXT column."""
    return json.dumps(clean_json(value), separators=(",", ":"), allow_nan=False, default=str)


def loads_dict(text: str | None) -> dict:
    """A JSON object column as a dict (an unreadable value counts as empty)."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def local_time(seconds: float) -> str:
    """`2025-01-31 14:05` in the local time zone (tables, CSV)."""
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class EpochRow:
    """One epoch of a run, as the charts overlay it."""

    epoch: int
    train_rmse: float | None
    valid_rmse: float | None
    valid_mae: float | None
    lr: float | None
    seconds: float | None


@dataclass(frozen=True)
class RunRecord:
    """One stored run; `epochs` is filled by `RunStore.get_run` and `list_runs(epochs=True)`."""

    id: int
    created: float  # Unix seconds
    updated: float
    status: str
    source: str  # app, cli or tune
    model: str
    dataset_name: str
    dataset_path: str
    dataset_size: int
    dataset_fingerprint: str
    n_ratings: int
    n_users: int
    n_items: int
    test_path: str
    config: dict  # TrainConfig.to_dict() of the settings asked for
    device: str
    epochs_run: int
    best_epoch: int | None
    train_rmse: float | None
    valid_rmse: float | None
    test_rmse: float | None
    ndcg_at_10: float | None
    duration: float | None
    metrics: dict
    error: str
    model_path: str
    study_id: int | None
    trial: int | None
    study_name: str = ""
    epochs: tuple[EpochRow, ...] = field(default=(), compare=False)

    @property
    def epochs_planned(self) -> int:
        """The epochs the settings asked for."""
        return int(self.config.get("epochs", 0) or 0)

    def to_dict(self, with_epochs: bool = False) -> dict:
        """JSON-ready dict; `created` and `updated` also as local time text."""
        row = asdict(self)
        row.pop("epochs")
        row["started"] = local_time(self.created)
        if with_epochs:
            row["epochs"] = [asdict(e) for e in self.epochs]
        return clean_json(row)


@dataclass(frozen=True)
class StudyRecord:
    """A tuning study: its trials are runs whose `study_id` is this id."""

    id: int
    name: str
    created: float
    updated: float
    status: str
    dataset_fingerprint: str
    settings: dict
    best_run_id: int | None
    summary: dict
    n_runs: int = 0

    def to_dict(self) -> dict:
        return clean_json(asdict(self))


RUN_COLUMNS = (
    "runs.id, runs.created, runs.updated, runs.status, runs.source, runs.model, "
    "runs.dataset_name, runs.dataset_path, runs.dataset_size, runs.dataset_fingerprint, "
    "runs.n_ratings, runs.n_users, runs.n_items, runs.test_path, runs.config, runs.device, "
    "runs.epochs_run, runs.best_epoch, runs.train_rmse, runs.valid_rmse, runs.test_rmse, "
    "runs.ndcg_at_10, runs.duration, runs.metrics, runs.error, runs.model_path, runs.study_id, "
    "runs.trial, COALESCE(studies.name, '')"
)
RUN_FROM = "runs LEFT JOIN studies ON studies.id = runs.study_id"


def run_from_row(row: sqlite3.Row | tuple, epochs: tuple[EpochRow, ...] = ()) -> RunRecord:
    """A RunRecord from one row selected with RUN_COLUMNS."""
    values = list(row)
    values[14] = loads_dict(values[14])  # config
    values[23] = loads_dict(values[23])  # metrics
    return RunRecord(*values, epochs=epochs)


def study_from_row(row: sqlite3.Row | tuple) -> StudyRecord:
    """A StudyRecord from `SELECT id, name, created, updated, status, dataset_fingerprint,
    settings, best_run_id, summary, n_runs`."""
    values = list(row)
    values[6], values[8] = loads_dict(values[6]), loads_dict(values[8])
    return StudyRecord(*values)
