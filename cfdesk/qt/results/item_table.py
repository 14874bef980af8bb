"""A sortable table of items: selecting a row announces its item; Ctrl+C copies rows. Titles get
the room; genres are elided (their cell tooltips show them whole)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFocusEvent, QGuiApplication, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from cfdesk.qt.results.frame_model import FrameModel
from cfdesk.qt.widgets import style_row_table

GENRES_SHARE = 0.2  # of the table's width at most; the title column stretches into the rest
GENRES_MIN_PX = 90


class ItemTable(QTableView):
    """Read-only rows of items; `itemSelected(item_idx)` fires when the user moves the current row.

    Tabbing into the table makes Qt pick a current row by itself; that is not a choice, so it
    announces nothing (the neighbours panel would otherwise switch to another item).
    """

    itemSelected = Signal(int)

    def __init__(self, columns: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame_model = FrameModel(columns, self)
        self.setModel(self.frame_model)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        style_row_table(self)
        header = self.horizontalHeader()
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        modes = {
            "title": QHeaderView.ResizeMode.Stretch,
            "genres": QHeaderView.ResizeMode.Interactive,
        }
        for col, name in enumerate(columns):
            header.setSectionResizeMode(
                col, modes.get(name, QHeaderView.ResizeMode.ResizeToContents)
            )
        self._focusing = False
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        copy = QShortcut(QKeySequence.StandardKey.Copy, self)
        copy.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy.activated.connect(self.copy_selection)

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Show new rows; the sort indicator is cleared because the rows arrive in their order."""
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.frame_model.set_frame(frame)
        self._fit_genres()

    def set_header_tip(self, column: str, text: str) -> None:
        """A tooltip on one column's header (what the figures in it mean)."""
        self.frame_model.header_tips[column] = text

    def show_column(self, column: str, shown: bool) -> None:
        self.setColumnHidden(self.frame_model.columns.index(column), not shown)

    def _fit_genres(self) -> None:
        """Genres as wide as their text, but never more than a fifth of the table."""
        if "genres" not in self.frame_model.columns:
            return
        col = self.frame_model.columns.index("genres")
        room = max(GENRES_MIN_PX, int(self.viewport().width() * GENRES_SHARE))
        wanted = max(self.sizeHintForColumn(col), self.horizontalHeader().sectionSizeHint(col))
        self.setColumnWidth(col, min(wanted, room))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_genres()

    def focusInEvent(self, event: QFocusEvent) -> None:
        """Qt may make a row current on focus; only the user's own moves announce an item."""
        self._focusing = True
        try:
            super().focusInEvent(event)
        finally:
            self._focusing = False

    def selected_rows(self) -> list[int]:
        return sorted({index.row() for index in self.selectionModel().selectedRows()})

    @Slot()
    def copy_selection(self) -> str:
        """Selected rows (all rows when none is selected) go to the clipboard as TSV."""
        rows = self.selected_rows() or list(range(self.frame_model.rowCount()))
        text = self.frame_model.as_tsv(rows)
        QGuiApplication.clipboard().setText(text)
        return text

    @Slot()
    def _on_current_row(self) -> None:
        if self._focusing:
            return
        item = self.frame_model.item_idx(self.currentIndex().row())
        if item is not None:
            self.itemSelected.emit(item)
