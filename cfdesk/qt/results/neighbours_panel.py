"""The selected item's facts and its nearest neighbours by cosine similarity of embeddings."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cfdesk.core.results.context import ResultsContext
from cfdesk.core.results.recommend import NEIGHBOUR_MIN_RATINGS, NEIGHBOUR_POOL
from cfdesk.qt.results.frame_model import empty_frame
from cfdesk.qt.results.item_table import ItemTable
from cfdesk.qt.widgets import options_row, spin

COLUMNS = ["title", "similarity", "count"]
EMPTY = "Select an item in any table or on the map to see the items most like it."


def describe(row: pd.Series) -> str:
    """Genres, count, mean and bias of one item in one line (shared with the map's hover card)."""
    parts = [str(row["genres"]).replace("|", ", ") or "no genres"]
    count = int(row["count"])
    parts.append(f"{count:,} rating{'' if count == 1 else 's'}")
    if np.isfinite(row["mean"]):
        parts.append(f"mean {row['mean']:.2f}")
    if np.isfinite(row["bias"]):
        parts.append(f"bias {row['bias']:+.2f}")
    return " · ".join(parts)


class NeighboursPanel(QWidget):
    """Fed an item index; neighbours come from the core's Recommender.similar_items_idx."""

    itemSelected = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context: ResultsContext | None = None
        self.item_idx: int | None = None
        self.title = QLabel("Similar items")
        self.title.setObjectName("heading")
        self.title.setWordWrap(True)
        self.facts = QLabel(EMPTY)
        self.facts.setWordWrap(True)
        self.n = spin(1, 200, 15)
        self.min_count = spin(0, 100_000, 0)
        self.min_count.setToolTip(
            "Items rated fewer times are left out: their learned factors are mostly noise, so\n"
            f"they would lead the list by chance. Each model starts at {NEIGHBOUR_MIN_RATINGS} "
            f"(lower when fewer\nthan {NEIGHBOUR_POOL} items have that many ratings); 0 lists "
            "every item."
        )
        self.table = ItemTable(COLUMNS)
        options = options_row("Show", self.n, "with ≥", self.min_count, "ratings")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addLayout(options)
        layout.addWidget(self.table, 1)
        self.n.valueChanged.connect(self.refresh)
        self.min_count.valueChanged.connect(self.refresh)
        self.table.itemSelected.connect(self.itemSelected)

    def set_context(self, context: ResultsContext | None) -> None:
        self.context, self.item_idx = context, None
        if context is not None:
            self.min_count.blockSignals(True)
            self.min_count.setValue(context.recommender.neighbour_min_ratings)
            self.min_count.blockSignals(False)
        self.title.setText("Similar items")
        self.facts.setText(EMPTY)
        self.table.set_frame(empty_frame(COLUMNS))

    @Slot(int)
    def show_item(self, item_idx: int) -> None:
        """Show one item's neighbours (cosine; the item itself is never listed)."""
        self.item_idx = int(item_idx)
        self.refresh()

    def neighbours(self) -> tuple[np.ndarray, np.ndarray]:
        """(item indices, cosine similarities) currently listed."""
        frame = self.table.frame_model.frame
        return frame["item_idx"].to_numpy(np.int64), frame["similarity"].to_numpy(np.float64)

    @Slot()
    def refresh(self) -> None:
        if self.context is None or self.item_idx is None:
            return
        row = self.context.items.iloc[self.item_idx]
        self.title.setText(f"Like “{row['title']}”")
        self.facts.setText(describe(row))
        idx, scores = self.context.recommender.similar_items_idx(
            self.item_idx, self.n.value(), "cosine", self.min_count.value()
        )
        frame = self.context.rows(idx)
        frame["similarity"] = scores.astype(np.float64)
        self.table.set_frame(frame)
