"""A sortable table of items: selecting a row announces its item; Ctrl+C copies rows."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from cfdesk.qt.results.frame_model import FrameModel
from cfdesk.qt.widgets import style_row_table


class ItemTable(QTableView):
    """Read-only rows of items; `itemSelected(item_idx)` fires when the current row changes."""

    itemSelected = Signal(int)

    def __init__(self, columns: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame_model = FrameModel(columns, self)
        self.setModel(self.frame_model)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)
        style_row_table(self)
        header = self.horizontalHeader()
        for col, name in enumerate(columns):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if name == "title"
                else (QHeaderView.ResizeMode.ResizeToContents)
            )
            header.setSectionResizeMode(col, mode)
        self.selectionModel().currentRowChanged.connect(self._on_current_row)
        copy = QShortcut(QKeySequence.StandardKey.Copy, self)
        copy.setContext(Qt.ShortcutContext.WidgetShortcut)
        copy.activated.connect(self.copy_selection)

    def set_frame(self, frame: pd.DataFrame) -> None:
        """Show new rows; the sort indicator is cleared because the rows arrive in their order."""
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.frame_model.set_frame(frame)

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
        item = self.frame_model.item_idx(self.currentIndex().row())
        if item is not None:
            self.itemSelected.emit(item)
