"""Validation RMSE per epoch of several runs in one chart, one colour each."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette

from cfdesk.core.runs.records import RunRecord
from cfdesk.qt.theme import palette_color, style_plot

# Ten mid-tone colours that stay distinct on light and dark backgrounds (Tableau 10, brighter).
RUN_COLOURS = (
    "#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#a855f7",
    "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#64748b",
)  # fmt: skip
EMPTY_TITLE = "Select runs above to overlay their validation curves (Ctrl+click adds one)"


def run_colour(position: int) -> str:
    """The colour of the `position`-th selected run (the settings table's header uses it too)."""
    return RUN_COLOURS[position % len(RUN_COLOURS)]


def _label(run: RunRecord) -> str:
    best = f" · best {run.valid_rmse:.4f}" if run.valid_rmse is not None else ""
    return f"#{run.id} {run.model} {run.config.get('n_factors', '')}f{best}"


class RunsChart(pg.PlotWidget):
    """Overlays the selected runs; a run without validation rows shows its train RMSE, dashed."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._item = style_plot(self, EMPTY_TITLE, "epoch", "RMSE")
        self._curves: list[pg.PlotDataItem] = []

    def set_runs(self, runs: Sequence[RunRecord]) -> None:
        """Draw one curve per run (in selection order); none clears the chart."""
        for curve in self._curves:
            self._item.removeItem(curve)
        self._item.legend.clear()
        self._curves = []
        for position, run in enumerate(runs):
            epochs = np.array([e.epoch for e in run.epochs], dtype=float)
            valid = np.array([_value(e.valid_rmse) for e in run.epochs], dtype=float)
            dashed = not np.isfinite(valid).any()
            ys = np.array([_value(e.train_rmse) for e in run.epochs]) if dashed else valid
            colour = QColor(run_colour(position))
            style = Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
            curve = self._item.plot(
                epochs,
                ys,
                name=_label(run) + (" (train, no validation)" if dashed else ""),
                pen=pg.mkPen(colour, width=2, style=style),
                symbol="o",
                symbolSize=5,
                symbolBrush=colour,
                symbolPen=None,
                connect="finite",
            )
            self._curves.append(curve)
        title = "Validation RMSE per epoch (lower is better)" if runs else EMPTY_TITLE
        self._item.setTitle(title, color=palette_color(QPalette.ColorRole.Text), size="11pt")
        self._item.enableAutoRange()

    def curve_count(self) -> int:
        """How many runs are drawn (tests, benchmark)."""
        return len(self._curves)

    def curve_values(self) -> list[list[float]]:
        """The y values of each curve, in drawing order (tests)."""
        return [[float(y) for y in curve.yData] for curve in self._curves]


def _value(value: float | None) -> float:
    return math.nan if value is None else float(value)
