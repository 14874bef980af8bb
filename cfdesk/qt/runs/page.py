"""The Runs page: every recorded run in a table; the selected ones overlaid and side by side."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QItemSelection, QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cfdesk.core.runs.records import RunRecord
from cfdesk.qt.runs.chart import RunsChart
from cfdesk.qt.runs.settings_table import SettingsTable
from cfdesk.qt.runs.table_model import RunRow, RunsTableModel
from cfdesk.qt.widgets import style_row_table

MAX_COMPARED = 10  # runs drawn and put side by side at once: one colour each, readable columns
WIDTHS = (40, 116, 80, 64, 120, 58, 58, 84, 88, 60, 80, 76, 64, 60, 110)  # the last stretches


class RunsTable(QTableView):
    """The table itself: the Delete key asks to delete the selected runs."""

    deletePressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete):
            self.deletePressed.emit()
            return
        super().keyPressEvent(event)


class RunsPage(QWidget):
    """Shows what it is given (`set_rows`) and emits intents; it never reads the store.

    Signals: trainRequested(RunRecord), deleteRequested(list of ids), exportRequested(),
    curvesWanted(list of RunRecord): the table holds no epochs, so the window reads the compared
    runs' curves and hands them to `show_curves`.
    """

    trainRequested = Signal(object)
    deleteRequested = Signal(object)
    exportRequested = Signal()
    curvesWanted = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fingerprint: str | None = None  # the current data set's, None before one is open
        self._dataset_name = ""
        self._training = False
        self._compared: list[tuple[int, float]] = []  # (id, updated) of the runs compared
        self.filter = QLineEdit(
            placeholderText="Filter: any words in the table (model, status, data set…)",
            clearButtonEnabled=True,
        )
        self.all_datasets = QCheckBox(
            "All data sets", toolTip="Show runs on every data set, not only the one open now."
        )
        self.count = QLabel()
        self.count.setObjectName("caption")
        self.use_button = QPushButton(
            "Train with these settings",
            toolTip="Put the selected run's settings in the training form (Train page).",
        )
        self.delete_button = QPushButton("Delete…", toolTip="Delete the selected runs (Delete).")
        self.export_button = QPushButton(
            "Export CSV…", toolTip="Save the runs shown, every setting a column, as CSV."
        )
        self.model = RunsTableModel(self)
        self.table = self._make_table()
        self.chart = RunsChart()
        self.settings_table = SettingsTable()
        self.only_differences = QCheckBox(
            "Only differences", toolTip="Hide the rows where the selected runs agree."
        )
        self.compared_note = QLabel()
        self.compared_note.setObjectName("caption")
        self.settings_hint = QLabel(
            "Select runs in the table to see their settings side by side.",
            alignment=Qt.AlignmentFlag.AlignCenter,
            wordWrap=True,
        )
        self.settings_hint.setObjectName("caption")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.lower = QSplitter(Qt.Orientation.Horizontal)
        self._layout()
        self.filter.textChanged.connect(self._on_filter)
        self.all_datasets.toggled.connect(self._on_filter)
        self.only_differences.toggled.connect(self.settings_table.set_only_differences)
        self.use_button.clicked.connect(self._on_use)
        self.delete_button.clicked.connect(self.request_delete)
        self.export_button.clicked.connect(self.exportRequested)
        self.table.deletePressed.connect(self.request_delete)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self._update_buttons()

    def _make_table(self) -> RunsTable:
        table = RunsTable()
        table.setModel(self.model)
        style_row_table(table)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        header = table.horizontalHeader()
        header.setStretchLastSection(True)
        for column, width in enumerate(WIDTHS):
            header.resizeSection(column, width)
        table.setSortingEnabled(True)
        header.setSortIndicator(0, Qt.SortOrder.DescendingOrder)  # newest first
        return table

    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.all_datasets)
        top.addWidget(self.count)
        top.addStretch(0)
        for button in (self.use_button, self.delete_button, self.export_button):
            top.addWidget(button)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        options = QHBoxLayout()
        options.addWidget(self.only_differences)
        options.addStretch(1)
        options.addWidget(self.compared_note)
        side_layout.addLayout(options)
        side_layout.addWidget(self.settings_table, 1)
        side_layout.addWidget(self.settings_hint, 1)
        self.settings_table.hide()  # until runs are selected
        self.lower.addWidget(self.chart)
        self.lower.addWidget(side)
        self.lower.setSizes([600, 520])  # the settings need room for three runs side by side
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.lower)
        self.splitter.setSizes([330, 420])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # ---- contents ----------------------------------------------------------------------------
    def set_rows(self, rows: list[RunRow], fingerprint: str | None, dataset_name: str) -> None:
        """New rows from the store and the data set open now; the selection is kept by run id."""
        keep = [r.id for r in self.selected_runs()]
        self._fingerprint, self._dataset_name = fingerprint, dataset_name
        self._apply_filters(keep, rows)

    def _apply_filters(self, keep: list[int], rows: list[RunRow] | None = None) -> None:
        """Filter (new rows, if given) in one model reset, then select `keep` again."""
        everything = self.all_datasets.isChecked() or self._fingerprint is None
        self.model.set_filters(None if everything else self._fingerprint, self.filter.text(), rows)
        selection = QItemSelection()
        for run_id in keep:
            row = self.model.row_of(run_id)
            if row >= 0:
                selection.select(self.model.index(row, 0), self.model.index(row, 0))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        selection_model = self.table.selectionModel()
        selection_model.blockSignals(True)  # one update below, not one per change
        selection_model.select(selection, flags | QItemSelectionModel.SelectionFlag.Rows)
        selection_model.blockSignals(False)
        self.table.viewport().update()
        self._update_count()
        self._on_selection()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total()
        if not total:
            text = "No runs yet: every training is recorded here."
        else:
            where = ""
            if self._fingerprint is not None and not self.all_datasets.isChecked():
                where = f" on {self._dataset_name}" if self._dataset_name else " on this data set"
            text = f"{shown:,} of {total:,} runs{where}"
        self.count.setText(text)
        self.export_button.setEnabled(shown > 0)

    def selected_runs(self) -> list[RunRecord]:
        """The selected runs in table order."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.record(r) for r in rows]

    def select_runs(self, run_ids: list[int]) -> None:
        """Select these runs (those shown), replacing the selection."""
        self._apply_filters(run_ids)

    # ---- remembered view ----------------------------------------------------------------------
    def view_state(self) -> dict:
        return {
            "filter": self.filter.text(),
            "all_datasets": self.all_datasets.isChecked(),
            "only_differences": self.only_differences.isChecked(),
        }

    def restore_view(self, state: dict, header: QByteArray) -> None:
        """Filter, toggles, column widths and sort as the user left them."""
        self.filter.setText(str(state.get("filter", "")))
        self.all_datasets.setChecked(bool(state.get("all_datasets", False)))
        self.only_differences.setChecked(bool(state.get("only_differences", False)))
        if not header.isEmpty():
            self.table.horizontalHeader().restoreState(header)

    def header_state(self) -> QByteArray:
        return self.table.horizontalHeader().saveState()

    # ---- intents ------------------------------------------------------------------------------
    @Slot()
    def _on_filter(self) -> None:
        self._apply_filters([r.id for r in self.selected_runs()])

    @Slot()
    def _on_selection(self) -> None:
        runs = self.selected_runs()
        compared = runs[:MAX_COMPARED]
        self._update_buttons()
        if [(r.id, r.updated) for r in compared] == self._compared:
            return  # a reload that changed none of them: nothing to redraw
        self._compared = [(r.id, r.updated) for r in compared]
        self.settings_table.set_runs(compared)
        self.settings_table.setVisible(bool(compared))
        self.settings_hint.setVisible(not compared)
        self.compared_note.setText(
            f"the first {MAX_COMPARED} of {len(runs)} selected" if len(runs) > MAX_COMPARED else ""
        )
        self.curvesWanted.emit(compared)

    def show_curves(self, runs: list[RunRecord]) -> None:
        """Draw the compared runs' curves (records with their epochs), unless the selection
        has changed since they were asked for."""
        if [r.id for r in runs] == [run_id for run_id, _ in self._compared]:
            self.chart.set_runs(runs)

    def _update_buttons(self) -> None:
        n = len(self.table.selectionModel().selectedRows())
        self.use_button.setEnabled(n == 1 and not self._training)
        self.delete_button.setEnabled(n > 0)

    def set_training(self, running: bool) -> None:
        """While training runs, the form is locked: settings cannot be loaded into it."""
        self._training = running
        self._update_buttons()

    @Slot()
    def _on_use(self) -> None:
        runs = self.selected_runs()
        if len(runs) == 1:
            self.trainRequested.emit(runs[0])

    @Slot()
    def request_delete(self) -> None:
        """Delete button or the Delete key: ask (the window confirms) to delete the selection."""
        ids = [r.id for r in self.selected_runs()]
        if ids:
            self.deleteRequested.emit(ids)
