"""The selected runs' results, data and settings side by side; rows that differ are highlighted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from cfdesk.core.runs.compare import ComparedRow, compare_runs
from cfdesk.core.runs.records import RunRecord
from cfdesk.qt.runs.chart import run_colour
from cfdesk.qt.theme import palette_color

SECTION_NAMES = {"result": "Result", "data": "Data", "setting": "Setting"}


def highlight_brush() -> QBrush:
    """The palette's highlight, faint enough to read the text over it (light and dark themes)."""
    colour = QColor(palette_color(QPalette.ColorRole.Highlight))
    colour.setAlpha(70)
    return QBrush(colour)


class SettingsTable(QTableWidget):
    """One column per run, one row per field; `only_differences` hides rows that agree."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[ComparedRow] = []
        self._only_differences = False
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)

    def set_runs(self, runs: Sequence[RunRecord]) -> None:
        """Show these runs side by side (none: empty)."""
        self.rows = compare_runs(runs) if runs else []
        several = len(runs) > 1
        self.clear()
        self.setColumnCount(len(runs))
        self.setRowCount(len(self.rows))
        for column, run in enumerate(runs):
            header = QTableWidgetItem(f"#{run.id}")
            header.setForeground(QColor(run_colour(column)))
            font = header.font()
            font.setBold(True)
            header.setFont(font)
            self.setHorizontalHeaderItem(column, header)
        brush, bold = highlight_brush(), QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(self.rows):
            label = QTableWidgetItem(row.label)
            label.setToolTip(f"{SECTION_NAMES[row.section]}: {row.name}")
            self.setVerticalHeaderItem(r, label)
            for column, text in enumerate(row.texts):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if several and row.differs:
                    item.setBackground(brush)
                    item.setFont(bold)
                    item.setToolTip(f"{row.label} differs between the selected runs")
                self.setItem(r, column, item)
        self._apply_filter()

    def set_only_differences(self, only: bool) -> None:
        """Hide the rows where every selected run agrees."""
        self._only_differences = only
        self._apply_filter()

    def _apply_filter(self) -> None:
        several = self.columnCount() > 1
        for r, row in enumerate(self.rows):
            self.setRowHidden(r, self._only_differences and several and not row.differs)

    def differing(self) -> list[str]:
        """Names of the highlighted rows (tests)."""
        return [row.name for row in self.rows if row.differs] if self.columnCount() > 1 else []
