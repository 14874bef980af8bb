"""Items liked and disliked beyond what taste explains: both ends of the learned item bias."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from cfdesk.core.results.context import ResultsContext
from cfdesk.core.results.item_facts import bias_extremes
from cfdesk.qt.results.frame_model import empty_frame
from cfdesk.qt.results.item_table import ItemTable
from cfdesk.qt.widgets import options_row, plain_label, spin

COLUMNS = ["title", "bias", "count", "mean"]
EXPLAIN = (
    "An item's bias is what the model adds for everyone, whatever their taste: a high bias means "
    "people like it more than their taste alone predicts; a low bias, less."
)


def _side(heading: str, table: ItemTable) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    label = QLabel(heading)
    label.setObjectName("heading")
    layout.addWidget(label)
    layout.addWidget(table, 1)
    return box


class BiasPanel(QWidget):
    """Two tables from the core's bias_extremes; a minimum rating count hides rare items."""

    itemSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: ResultsContext | None = None
        self._stale = False  # the tables show an older model than `context`
        self.explain = plain_label(EXPLAIN)
        self.explain.setWordWrap(True)
        self.n = spin(1, 500, 20)
        self.min_count = spin(0, 100_000, 20)
        self.highest = ItemTable(COLUMNS)
        self.lowest = ItemTable(COLUMNS)
        options = options_row("Show", self.n, "items with at least", self.min_count, "ratings")
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(_side("Most liked beyond taste", self.highest))
        sides.addWidget(_side("Least liked beyond taste", self.lowest))
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addLayout(options)
        layout.addWidget(sides, 1)
        for box in (self.n, self.min_count):
            box.valueChanged.connect(self.refresh)
        self.highest.itemSelected.connect(self.itemSelected)
        self.lowest.itemSelected.connect(self.itemSelected)

    def set_context(self, context: ResultsContext | None) -> None:
        """A new model: the tables follow now if they are on screen, else when they are shown
        (a new model arrives right after training, when the UI thread has the most to do)."""
        self.context = context
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @Slot()
    def refresh(self) -> None:
        self._stale = False
        if self.context is None:
            self.highest.set_frame(empty_frame(COLUMNS))
            self.lowest.set_frame(empty_frame(COLUMNS))
            return
        ends = bias_extremes(self.context.fitted, self.n.value(), self.min_count.value())
        self.explain.setText(ends.reason.capitalize() + "." if ends.reason else EXPLAIN)
        for table, part in ((self.highest, ends.highest), (self.lowest, ends.lowest)):
            idx = self.context.fitted.items.indices_of(part["item_id"].tolist())
            table.set_frame(self.context.rows(idx))
