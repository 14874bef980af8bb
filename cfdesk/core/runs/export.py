"""Runs as a CSV table (one row per run, every setting a column), written atomically."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from cfdesk.core.atomic import atomic_write
from cfdesk.core.runs.compare import setting_names
from cfdesk.core.runs.records import RunRecord, clean_json, local_time

COLUMNS = (
    "id", "started", "status", "source", "model", "dataset_name", "dataset_path",
    "dataset_fingerprint", "n_ratings", "test_path", "valid_rmse", "test_rmse", "ndcg_at_10",
    "train_rmse", "epochs_run", "best_epoch", "duration", "device", "study_name", "trial",
    "model_path", "error",
)  # fmt: skip


def _cell(value: object) -> object:
    value = clean_json(value)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return "" if value is None else value


def write_runs_csv(runs: Sequence[RunRecord], path: str | Path) -> Path:
    """Write `runs` in the order given; a reader never sees a half-written file."""
    settings = setting_names(runs)
    with atomic_write(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*COLUMNS, *settings])
        for run in runs:
            row = {**vars(run), "started": local_time(run.created)}
            writer.writerow(
                [_cell(row[c]) for c in COLUMNS] + [_cell(run.config.get(s)) for s in settings]
            )
    return Path(path)
