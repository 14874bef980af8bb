"""'☑ Popularity prior [1.5]': how every results list is ordered, with the formula in its tooltip."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QCheckBox, QDoubleSpinBox, QHBoxLayout, QLabel, QWidget

from cfdesk.core.results.recommend import DEFAULT_POPULARITY_WEIGHT, Recommender
from cfdesk.qt.results.item_table import ItemTable

TIP = (
    "On: the list is ordered by Score = the model's raw score (its predicted rating before it is\n"
    "squeezed into the rating range) + weight × ln(1 + number of ratings), so well-known items\n"
    "rise. On MovieLens this finds more of what people go on to like (NDCG@10 0.31 instead of\n"
    "0.19) but lists fewer distinct items. Items predicted below {floor:g} still come after every\n"
    "item predicted higher.\n"
    "Off: ordered by predicted rating alone; items few people rated can lead the list."
)


def ranking_note(ranker: Recommender) -> str:
    """One sentence under a list saying what orders it."""
    if ranker.popularity_weight == 0:
        return (
            "Ordered by predicted rating (no popularity prior): items few people rated can lead "
            "the list."
        )
    floor = (
        f" Items predicted below {ranker.liked_floor:g} follow, by predicted rating."
        if ranker.liked_floor
        else ""
    )
    return (
        f"Ordered by Score = raw model score + {ranker.popularity_weight:g} × ln(1 + ratings), so "
        f"a much-rated item can rank above a higher predicted rating.{floor}"
    )


def show_ranking(ranker: Recommender | None, table: ItemTable, note: QLabel) -> None:
    """The note under a list, its Score column and that column's tooltip follow the ranking."""
    if ranker is None:
        note.setText("")
        return
    note.setText(ranking_note(ranker))
    table.show_column("score", ranker.popularity_weight > 0)
    table.set_header_tip("score", f"What orders this list: {ranker.score_formula}.")


class PriorControl(QWidget):
    """A checkbox and its weight; `weight()` is 0 when unticked. `changed` fires on either."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None, floor: float = 3.5) -> None:
        super().__init__(parent)
        self.box = QCheckBox("Popularity prior", checked=True)
        self.weight_box = QDoubleSpinBox(
            minimum=0.25, maximum=10.0, singleStep=0.25, decimals=2, value=DEFAULT_POPULARITY_WEIGHT
        )
        self.weight_box.setKeyboardTracking(False)
        self.weight_box.setAccessibleName("Popularity prior weight")
        self.set_floor(floor)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.box)
        row.addWidget(self.weight_box)
        self.box.toggled.connect(self._on_toggled)
        self.weight_box.valueChanged.connect(self._on_weight)

    def set_floor(self, floor: float) -> None:
        """The liked floor of the model's scale, for the tooltip."""
        for widget in (self.box, self.weight_box):
            widget.setToolTip(TIP.format(floor=floor))

    def weight(self) -> float:
        """The popularity-prior weight in force (0: ordered by predicted rating)."""
        return self.weight_box.value() if self.box.isChecked() else 0.0

    def state(self) -> tuple[bool, float]:
        """(ticked, weight shown), what settings keep and the other lists copy."""
        return self.box.isChecked(), self.weight_box.value()

    def set_state(self, on: bool, weight: float) -> None:
        """Show another list's choice; `changed` fires once, and only when something differs."""
        if (on, weight) == self.state():
            return
        self.blockSignals(True)
        self.box.setChecked(on)
        self.weight_box.setValue(weight)
        self.blockSignals(False)
        self.changed.emit()

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self.weight_box.setEnabled(on)
        self.changed.emit()

    @Slot(float)
    def _on_weight(self, _value: float) -> None:
        if self.box.isChecked():
            self.changed.emit()
