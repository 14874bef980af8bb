"""The loaded data set at a glance: counts, density, scale, rating histogram and long tail."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from cfdesk.core.ratings import Ratings
from cfdesk.qt.theme import SERIES, pen, style_plot

FIGURES = ("users", "items", "ratings", "density", "scale", "titles")


def _figure_text(ratings: Ratings) -> dict[str, str]:
    scale = ratings.scale
    values = ", ".join(f"{v:g}" for v in scale.values) if scale.is_discrete else "continuous"
    table = ratings.item_table
    titles = f"{table.n_with_metadata:,} of {ratings.n_items:,}" if table else "none"
    return {
        "users": f"{ratings.n_users:,}",
        "items": f"{ratings.n_items:,}",
        "ratings": f"{ratings.n_ratings:,}",
        "density": f"{ratings.density:.2%}",
        "scale": f"{scale.low:g} to {scale.high:g} ({values})",
        "titles": titles,
    }


class DataPanel(QWidget):
    """Read-only view of one Ratings; set_ratings(None) shows the empty state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("No data loaded. Open a ratings file or try the demo data.")
        self.title.setObjectName("heading")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        grid = QGridLayout()
        self.values: dict[str, QLabel] = {}
        for col, key in enumerate(FIGURES):
            caption = QLabel(key.capitalize())
            caption.setObjectName("caption")
            value = QLabel("–")
            value.setObjectName("figure")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(caption, 0, col)
            grid.addWidget(value, 1, col)
            self.values[key] = value
        self.histogram = pg.PlotWidget()
        style_plot(self.histogram, "How ratings are distributed", "rating", "number of ratings")
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=SERIES["train"], pen=None)
        self.histogram.addItem(self._bars)
        self.long_tail = pg.PlotWidget()
        item = style_plot(
            self.long_tail,
            "Long tail: a few items and users get most ratings",
            "rank (most rated first)",
            "ratings (log scale)",
        )
        item.setLogMode(x=False, y=True)
        self._per_item = item.plot(name="per item", pen=pen("train"))
        self._per_user = item.plot(name="per user", pen=pen("valid"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.histogram)
        self.splitter.addWidget(self.long_tail)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addWidget(self.notes)
        layout.addWidget(self.splitter, 1)

    def set_ratings(self, ratings: Ratings | None, name: str = "") -> None:
        """Show one data set's figures and charts."""
        if ratings is None:
            self.title.setText("No data loaded. Open a ratings file or try the demo data.")
            for label in self.values.values():
                label.setText("–")
            self.notes.setText("")
            self._bars.setOpts(x=[], height=[])
            self._per_item.setData([], [])
            self._per_user.setData([], [])
            return
        self.title.setText(name or ratings.source or "Ratings")
        for key, text in _figure_text(ratings).items():
            self.values[key].setText(text)
        self.notes.setText(self._notes_text(ratings.notes))
        values, counts = np.unique(ratings.rating, return_counts=True)
        if len(values) > 50:
            counts, edges = np.histogram(ratings.rating, bins=40)
            values = (edges[:-1] + edges[1:]) / 2
        width = 0.6 * float(np.min(np.diff(values))) if len(values) > 1 else 0.6
        self._bars.setOpts(x=values, height=counts, width=width)
        per_item = np.sort(ratings.item_counts())[::-1]
        per_user = np.sort(ratings.user_counts())[::-1]
        self._per_item.setData(np.arange(1, len(per_item) + 1), np.maximum(per_item, 1))
        self._per_user.setData(np.arange(1, len(per_user) + 1), np.maximum(per_user, 1))

    @staticmethod
    def _notes_text(notes: dict) -> str:
        """Loader facts worth knowing: dropped duplicates, skipped rows, warnings."""
        parts = []
        if notes.get("duplicates_dropped"):
            parts.append(
                f"{notes['duplicates_dropped']:,} repeated ratings dropped (kept the last)"
            )
        if notes.get("rows_rejected"):
            parts.append(f"{notes['rows_rejected']:,} unreadable rows skipped")
        parts += [str(w) for w in notes.get("warnings", [])]
        return "; ".join(parts)

    def bar_count(self) -> int:
        x = self._bars.opts.get("x")
        return 0 if x is None else len(x)
