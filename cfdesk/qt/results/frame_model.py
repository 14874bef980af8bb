"""A read-only, sortable Qt table model over a pandas DataFrame (one per results table)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

# column name -> (header, format); columns not listed show as text under their own name
FORMATS: dict[str, tuple[str, str]] = {
    "rank": ("#", "{:d}"),
    "item_id": ("Item id", "{}"),
    "title": ("Title", "{}"),
    "genres": ("Genres", "{}"),
    "score": ("Score", "{:.2f}"),
    "predicted": ("Predicted", "{:.2f}"),
    "rating": ("Your rating", "{:g}"),
    "user_rating": ("Their rating", "{:g}"),
    "similarity": ("Similarity", "{:.3f}"),
    "count": ("Ratings", "{:,d}"),
    "mean": ("Mean", "{:.2f}"),
    "bias": ("Bias", "{:+.3f}"),
    "p_top": ("P(top rating)", "{:.0%}"),  # the dist model's chance of the highest level
}
_RIGHT = {
    "rank", "score", "predicted", "rating", "user_rating", "similarity", "count", "mean", "bias",
    "p_top",
}  # fmt: skip


def _text(column: str, value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "–"
    if column == "genres":
        return str(value).replace("|", ", ")
    fmt = FORMATS.get(column, ("", "{}"))[1]
    try:
        return fmt.format(value.item() if isinstance(value, np.generic) else value)
    except (ValueError, TypeError):
        return str(value)


class FrameModel(QAbstractTableModel):
    """Shows `frame` (columns chosen by the caller); `item_idx`, when present, stays hidden."""

    def __init__(self, columns: list[str], parent: object = None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.headers: dict[str, str] = {}  # per-model header text (e.g. P(5★))
        self.frame = empty_frame(columns)
        self.header_tips: dict[str, str] = {}  # column -> what its header's tooltip explains

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Replace every row at once (one reset: cheap for the tens of rows a table shows)."""
        self.beginResetModel()
        self.frame = frame.reset_index(drop=True)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        column = self.columns[index.column()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return _text(column, self.frame.iat[index.row(), self.frame.columns.get_loc(column)])
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.header_tips.get(column)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.headers.get(column) or FORMATS.get(column, (column, ""))[0]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Stable sort on the underlying values (numbers as numbers, not as text)."""
        if not 0 <= column < len(self.columns):
            return  # -1 clears the indicator: keep the order the rows came in
        name = self.columns[column]
        ascending = order == Qt.SortOrder.AscendingOrder
        self.layoutAboutToBeChanged.emit()
        self.frame = self.frame.sort_values(
            name, ascending=ascending, kind="stable", na_position="last"
        ).reset_index(drop=True)
        self.layoutChanged.emit()

    def item_idx(self, row: int) -> int | None:
        """The model's item index of one row, when the frame carries it."""
        if "item_idx" not in self.frame.columns or not 0 <= row < len(self.frame):
            return None
        return int(self.frame["item_idx"].iat[row])

    def as_tsv(self, rows: list[int]) -> str:
        """Rows (with a header line) as tab-separated text, as spreadsheets paste it."""
        lines = [
            "\t".join(
                str(self.headerData(c, Qt.Orientation.Horizontal)) for c in range(len(self.columns))
            )
        ]
        for row in rows:
            values = (self.frame[c].iat[row] for c in self.columns)
            lines.append("\t".join(_text(c, v) for c, v in zip(self.columns, values, strict=True)))
        return "\n".join(lines) + "\n"


def empty_frame(columns: list[str]) -> pd.DataFrame:
    """No rows, but the shown columns and `item_idx`, so readers never meet a missing column."""
    return pd.DataFrame(columns=["item_idx", *columns])
