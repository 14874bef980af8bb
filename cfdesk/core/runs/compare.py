"""Runs side by side: results, data and every setting, each row marked where the runs differ."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields

from cfdesk.core.config import TrainConfig
from cfdesk.core.runs.records import RunRecord, clean_json

RESULTS = (
    ("status", "Status"),
    ("valid_rmse", "Validation RMSE"),
    ("test_rmse", "Test RMSE"),
    ("ndcg_at_10", "NDCG@10"),
    ("train_rmse", "Train RMSE"),
    ("best_epoch", "Best epoch"),
    ("epochs_run", "Epochs run"),
    ("duration", "Duration (s)"),
    ("device", "Device"),
)
KEPT = ("kept_epoch", "Kept epoch")  # from the run's metrics: the epoch whose weights it kept
DATA = (("dataset_name", "Data set"), ("n_ratings", "Ratings"), ("test_path", "Test file"))
SETTING_LABELS = {
    "model": "Model", "n_factors": "Factors", "epochs": "Epochs", "lr": "Learning rate",
    "weight_decay": "Weight decay", "bias_weight_decay": "Bias weight decay",
    "batch_size": "Batch size", "lr_batch": "Rate's batch size", "accum_steps": "Accumulation",
    "optimizer": "Optimizer", "schedule": "Schedule", "y_range": "Output range",
    "use_y_range": "Use output range", "nn_layers": "NN layers", "valid_frac": "Validation share",
    "split": "Validation rows", "seed": "Seed", "device": "Device asked",
    "patience": "Early stopping", "keep_best": "Keep the best epoch", "bf16": "bfloat16", "tf32": "TF32", "auto_fit": "Auto-fit batch",
    "row_sparse": "Row-sparse updates", "implicit": "Implicit term",
    "report_every": "Report every",
}  # fmt: skip
# Settings where 0 or None means "cfdesk chooses".
AUTOMATIC = {"batch_size": 0, "report_every": 0, "y_range": None, "row_sparse": None,
             "implicit": None, "patience": 0}  # fmt: skip


@dataclass(frozen=True)
class ComparedRow:
    """One line of the side-by-side view: a value per run, `differs` when they are not all equal."""

    section: str  # "result", "data" or "setting"
    name: str  # the field or setting name, as in JSON
    label: str
    values: tuple[object, ...]  # JSON-ready values, one per run
    texts: tuple[str, ...]  # the same, formatted for a table
    differs: bool

    def to_dict(self) -> dict:
        return {"section": self.section, "name": self.name, "values": list(self.values),
                "differs": self.differs}  # fmt: skip


def format_value(name: str, value: object) -> str:
    """How a result or a setting reads in a table."""
    if name in AUTOMATIC and value == AUTOMATIC[name]:
        return "off" if name == "patience" else "auto"
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if name.endswith(("rmse", "ndcg_at_10")):
            return f"{value:.4f}"
        return f"{value:.1f}" if name == "duration" else f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value("", v) for v in value)
    if isinstance(value, int) and name in ("n_ratings", "batch_size"):
        return f"{value:,}"
    return str(value)


def setting_names(runs: Sequence[RunRecord]) -> list[str]:
    """TrainConfig's fields in order, then any other key a run stored (other cfdesk versions)."""
    names = [f.name for f in fields(TrainConfig)]
    for run in runs:
        names += [k for k in run.config if k not in names]
    return names


def _row(section: str, name: str, label: str, values: list[object]) -> ComparedRow:
    values = [clean_json(v) for v in values]
    texts = tuple(format_value(name, v) for v in values)
    differs = len({json.dumps(v, sort_keys=True) for v in values}) > 1
    return ComparedRow(section, name, label, tuple(values), texts, differs)


def compare_runs(runs: Sequence[RunRecord]) -> list[ComparedRow]:
    """Results, then data, then settings, one value per run in the order given."""
    rows = [_row("result", n, label, [getattr(r, n) for r in runs]) for n, label in RESULTS]
    rows.insert(6, _row("result", *KEPT, [r.metrics.get(KEPT[0]) for r in runs]))
    rows += [_row("data", n, label, [getattr(r, n) for r in runs]) for n, label in DATA]
    rows += [
        _row("setting", n, SETTING_LABELS.get(n, n), [r.config.get(n) for r in runs])
        for n in setting_names(runs)
    ]
    return rows
