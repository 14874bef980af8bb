"""The loaded data set at a glance: counts, density, scale, rating histogram and long tail."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from cfdesk.core.data.summary import DatasetSummary
from cfdesk.qt.panels.count_axis import CountAxis
from cfdesk.qt.theme import SERIES, pen, style_plot

FIGURES = ("users", "items", "ratings", "density", "scale", "titles")


def _figure_text(summary: DatasetSummary) -> dict[str, str]:
    scale = f"{summary.rating_min:g} to {summary.rating_max:g}"
    titles = summary.n_items_with_metadata
    return {
        "users": f"{summary.n_users:,}",
        "items": f"{summary.n_items:,}",
        "ratings": f"{summary.n_ratings:,}",
        "density": f"{summary.density:.2%}",
        "scale": scale,
        "titles": f"{titles:,} of {summary.n_items:,}" if titles else "none",
    }


def _decade_ticks(top: int) -> list[tuple[float, str]]:
    """Label a log axis 1, 10, 100, 1,000…: pyqtgraph's own labels read "9·10²"."""
    return [(float(k), f"{10**k:,}") for k in range(len(str(top)) + 1)]


class DataPanel(QWidget):
    """Read-only view of one data set's summary; set_summary(None) shows the empty state."""

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
        self.histogram = pg.PlotWidget(axisItems={"left": CountAxis("left")})
        style_plot(self.histogram, "How ratings are distributed", "rating", "number of ratings")
        self._bars = pg.BarGraphItem(x=[], height=[], width=0.6, brush=SERIES["train"], pen=None)
        self.histogram.addItem(self._bars)
        self.long_tail = pg.PlotWidget(axisItems={"bottom": CountAxis("bottom")})
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

    def set_summary(self, summary: DatasetSummary | None, name: str = "") -> None:
        """Show one data set's figures and charts (computed by the core, off the UI thread)."""
        if summary is None:
            self.title.setText("No data loaded. Open a ratings file or try the demo data.")
            for label in self.values.values():
                label.setText("–")
            self.notes.setText("")
            self._bars.setOpts(x=[], height=[])
            self._per_item.setData([], [])
            self._per_user.setData([], [])
            return
        self.title.setText(name or summary.source or "Ratings")
        for key, text in _figure_text(summary).items():
            self.values[key].setText(text)
        self.notes.setText(self._notes_text(summary))
        values = summary.hist_values
        width = 0.6 * float(np.min(np.diff(values))) if len(values) > 1 else 0.6
        self._bars.setOpts(x=values, height=summary.hist_counts, width=width)
        ticks = [(float(v), f"{v:g}") for v in values] if len(values) <= 12 else None
        self.histogram.getPlotItem().getAxis("bottom").setTicks([ticks] if ticks else None)
        if len(values):
            low, high = float(values[0]) - width, float(values[-1]) + width
            self.histogram.setXRange(low, high, padding=0)
        top = max(
            int(summary.item_counts_sorted.max(initial=1)),
            int(summary.user_counts_sorted.max(initial=1)),
        )
        self.long_tail.getPlotItem().getAxis("left").setTicks([_decade_ticks(top)])
        for curve, counts in (
            (self._per_item, summary.item_counts_sorted),
            (self._per_user, summary.user_counts_sorted),
        ):
            curve.setData(np.arange(1, len(counts) + 1), np.maximum(counts, 1))

    @staticmethod
    def _notes_text(summary: DatasetSummary) -> str:
        """Loader facts worth knowing: format, dropped duplicates, skipped rows, warnings."""
        parts = [f"Read as {summary.file_format}."] if summary.file_format else []
        if summary.duplicates_dropped:
            parts.append(
                f"{summary.duplicates_dropped:,} repeated ratings dropped (kept the last)."
            )
        warnings = [
            w[0].upper() + w[1:] + ("" if w.endswith(".") else ".") for w in summary.warnings
        ]
        # The loader's own warning names the skipped lines; say it once, with the line numbers.
        if summary.rows_rejected and not any("bad row" in w for w in warnings):
            parts.append(f"{summary.rows_rejected:,} unreadable rows skipped.")
        return " ".join(parts + warnings)

    def bar_count(self) -> int:
        x = self._bars.opts.get("x")
        return 0 if x is None else len(x)
