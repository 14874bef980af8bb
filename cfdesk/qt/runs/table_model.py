"""The runs table: rows prepared off the UI thread, then filtered and sorted in plain Python.

A QSortFilterProxyModel would call back into Python for every comparison (tens of thousands
for 1,000 rows); sorting a list of prepared keys costs about a millisecond.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from cfdesk.core.runs.compare import format_value
from cfdesk.core.runs.records import RunRecord, local_time

Index = QModelIndex | QPersistentModelIndex
# (header, tooltip) per column, in order
COLUMNS = (
    ("#", "The run's number (cfdesk runs show N)"),
    ("Started", "When training started"),
    ("Status", "finished, stopped (Stop), failed, interrupted (cfdesk ended first), running"),
    ("Model", "Model kind"),
    ("Data set", "The ratings file trained on"),
    ("Factors", "Latent factors"),
    ("Epochs", "Epochs run / asked for"),
    ("Learning rate", "Peak learning rate as set"),
    ("Weight decay", "Weight decay on the factors"),
    ("Batch", "Batch size as set"),
    ("Valid RMSE", "Validation RMSE of the kept model (lower is better)"),
    ("Test RMSE", "RMSE on a separate test file, where one was given"),
    ("Time (s)", "Wall-clock seconds from start to end"),
    ("Device", "Where it trained"),
    ("Study", "The tuning study this run is a trial of"),
    ("Model file", "Where its model was saved, if it was"),
)
NUMERIC = {0, 5, 6, 7, 8, 9, 10, 11, 12}
STATUS_COLOURS = {"failed": "#dc2626", "running": "#2563eb", "interrupted": "#a16207"}


@dataclass(frozen=True)
class RunRow:
    """One table row: the record, its cell texts, sort keys and lower-case search text."""

    record: RunRecord
    texts: tuple[str, ...]
    keys: tuple[tuple, ...]
    search: str


def _key(value: object) -> tuple:
    """Sort key with missing values last in either direction's natural reading."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0)
    return (0, value)


def make_row(run: RunRecord) -> RunRow:
    """Cell texts and sort keys for one run (pure Python: runs on the loading thread)."""
    c = run.config
    study = f"{run.study_name} #{run.trial}" if run.study_id is not None else ""
    values: tuple[object, ...] = (
        run.id, run.created, run.status, run.model, run.dataset_name, c.get("n_factors"),
        run.epochs_run, c.get("lr"), c.get("weight_decay"), c.get("batch_size"), run.valid_rmse,
        run.test_rmse, run.duration, run.device, study, Path(run.model_path).name,
    )  # fmt: skip
    texts = (
        str(run.id), local_time(run.created), run.status, run.model, run.dataset_name,
        format_value("n_factors", values[5]), f"{run.epochs_run}/{run.epochs_planned}",
        format_value("lr", values[7]), format_value("weight_decay", values[8]),
        format_value("batch_size", values[9]), format_value("valid_rmse", run.valid_rmse),
        format_value("test_rmse", run.test_rmse), format_value("duration", run.duration),
        run.device or "–", study, values[15],
    )  # fmt: skip
    return RunRow(run, texts, tuple(_key(v) for v in values), " ".join(texts).lower())


def make_rows(runs: Sequence[RunRecord]) -> list[RunRow]:
    return [make_row(r) for r in runs]


class RunsTableModel(QAbstractTableModel):
    """All loaded rows; shows those passing the data-set and text filters, in the sort order."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._all: list[RunRow] = []
        self._shown: list[RunRow] = []
        self._fingerprint: str | None = None  # None: every data set
        self._text = ""
        self._sort: tuple[int, Qt.SortOrder] = (0, Qt.SortOrder.DescendingOrder)

    # ---- contents ----------------------------------------------------------------------------
    def set_filters(
        self, fingerprint: str | None, text: str, rows: list[RunRow] | None = None
    ) -> None:
        """Only runs on one data set (None: all) whose cells contain every word of `text` (any
        case); `rows`, when given, replace every row. One model reset; the sort is kept."""
        if rows is not None:
            self._all = rows
        self._fingerprint, self._text = fingerprint, text.strip().lower()
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        words = self._text.split()
        self._shown = [
            row
            for row in self._all
            if (self._fingerprint is None or row.record.dataset_fingerprint == self._fingerprint)
            and all(word in row.search for word in words)
        ]
        self._sort_rows()
        self.endResetModel()

    def _sort_rows(self) -> None:
        column, order = self._sort
        missing_last = [r for r in self._shown if r.keys[column][0] == 0]
        missing_last.sort(
            key=lambda r: r.keys[column], reverse=order == Qt.SortOrder.DescendingOrder
        )
        self._shown = missing_last + [r for r in self._shown if r.keys[column][0] == 1]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column's values (numbers as numbers); empty cells stay at the bottom."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        self._sort_rows()
        self.layoutChanged.emit()

    def record(self, row: int) -> RunRecord:
        return self._shown[row].record

    def records(self) -> list[RunRecord]:
        """The runs shown, in the order shown (CSV export)."""
        return [row.record for row in self._shown]

    def row_of(self, run_id: int) -> int:
        """The row showing run `run_id`, -1 when it is filtered out."""
        return next((i for i, r in enumerate(self._shown) if r.record.id == run_id), -1)

    def total(self) -> int:
        return len(self._all)

    # ---- Qt model interface -------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row, column = self._shown[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.texts[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            error = row.record.error
            return f"{row.texts[column]}\n{error}" if column == 2 and error else row.texts[column]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == 2:
            colour = STATUS_COLOURS.get(row.record.status)
            return QColor(colour) if colour else None
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][1]
        return None
