"""A sortable table of items: selecting a row announces its item; Ctrl+C copies rows. Titles get
the room: genres are elided, and hidden when the table is too narrow for both (a title's tooltip
names its genres)."""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFocusEvent, QGuiApplication, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from cfdesk.qt.results.frame_model import FrameModel
from cfdesk.qt.widgets import style_row_table

GENRES_SHARE = 0.2  # of the table's width at most; the title column stretches into the rest
GENRES_MIN_PX = 90
TITLE_MIN_PX = 160  # below this the genres column gives way (about 22 characters of title)


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
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        for col, name in enumerate(columns):
            stretch = name == "title"
            header.setSectionResizeMode(
                col,
                QHeaderView.ResizeMode.Stretch if stretch else QHeaderView.ResizeMode.Interactive,
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
        self._fit_columns()

    def set_header_tip(self, column: str, text: str) -> None:
        """A tooltip on one column's header (what the figures in it mean)."""
        self.frame_model.header_tips[column] = text

    def show_column(self, column: str, shown: bool) -> None:
        self.setColumnHidden(self.frame_model.columns.index(column), not shown)

    def _fit_columns(self) -> None:
        """Give the title at least TITLE_MIN_PX: figures show their whole header while there is
        room, else only their values (the header elides; its tooltip has it whole); genres take
        at most a fifth of the table and give way last."""
        columns = self.frame_model.columns
        header = self.horizontalHeader()
        figures = [c for c, name in enumerate(columns) if name not in ("title", "genres")]
        genres = columns.index("genres") if "genres" in columns else None
        width = self.viewport().width()
        if genres is not None:
            wanted = max(self.sizeHintForColumn(genres), header.sectionSizeHint(genres))
            self.setColumnWidth(genres, min(wanted, max(GENRES_MIN_PX, int(width * GENRES_SHARE))))
        for compact in (False, True):
            for col in figures:
                values = max(self.sizeHintForColumn(col), 44)
                full = max(values, header.sectionSizeHint(col))
                self.setColumnWidth(col, min(values, full) if compact else full)
            if "title" not in columns or self._title_room(width) >= TITLE_MIN_PX:
                break
        if genres is not None and "title" in columns:
            self.setColumnHidden(genres, False)
            self.setColumnHidden(genres, self._title_room(width) < TITLE_MIN_PX)

    def _title_room(self, width: int) -> int:
        """What the stretching title column gets beside the other shown columns."""
        title = self.frame_model.columns.index("title")
        others = range(len(self.frame_model.columns))
        return width - sum(
            self.columnWidth(c) for c in others if c != title and not self.isColumnHidden(c)
        )

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_columns()

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
