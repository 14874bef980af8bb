"""Tune's charts: each trial's validation RMSE with the best so far, and parameter importances."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QPalette

from cfdesk.qt.panels.charts import SteppedRange
from cfdesk.qt.theme import SERIES, palette_color, pen, style_plot

PRUNED = ("pruned", "stopped")
WORDS = {
    "model": "model kind", "n_factors": "factors", "lr": "learning rate",
    "weight_decay": "weight decay", "epochs": "epochs", "batch_size": "batch size",
    "implicit": "implicit term",
}  # fmt: skip


class TrialChart(pg.PlotWidget):
    """One point per trial (filled: finished, hollow: pruned or stopped) and a step line of the
    best validation RMSE so far; the y range follows the finished trials, so one diverged trial
    does not flatten the rest."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        item = style_plot(self, "Trials (validation RMSE, lower is better)", "trial", "RMSE")
        self._best = item.plot(name="best so far", pen=pen("best"), stepMode="right")
        self._done = item.plot(
            name="finished trial", pen=None, symbol="o", symbolSize=7,
            symbolBrush=SERIES["train"], symbolPen=None,
        )  # fmt: skip
        self._pruned = item.plot(
            name="pruned or stopped", pen=None, symbol="o", symbolSize=7,
            symbolBrush=palette_color(QPalette.ColorRole.Base), symbolPen=pen("batch", 1.5),
        )  # fmt: skip
        self._range = SteppedRange(headroom=0.15)
        self.clear_data()

    def clear_data(self) -> None:
        self._points: dict[str, tuple[list[float], list[float]]] = {
            "done": ([], []),
            "pruned": ([], []),
        }
        self._best_values: list[tuple[float, float]] = []
        for curve in (self._best, self._done, self._pruned):
            curve.setData([], [])
        self._range.reset()
        self.getPlotItem().setXRange(-0.5, 10, padding=0)

    def add_trial(self, number: int, state: str, valid_rmse: float) -> None:
        """One finished, pruned or stopped trial (failed ones have no figure to draw)."""
        if not math.isfinite(valid_rmse):
            return
        key = "pruned" if state in PRUNED else "done"
        xs, ys = self._points[key]
        xs.append(number)
        ys.append(valid_rmse)
        curve = self._pruned if key == "pruned" else self._done
        curve.setData(xs, ys)
        if key == "done":
            best = min(valid_rmse, self._best_values[-1][1]) if self._best_values else valid_rmse
            self._best_values.append((number, best))
            span = self._range.fit(np.asarray(ys))
            if span is not None:
                self.getPlotItem().setYRange(*span, padding=0)
        if self._best_values:  # each best holds (a step) until the latest trial
            held = [*self._best_values, (number + 0.5, self._best_values[-1][1])]
            self._best.setData([x for x, _ in held], [y for _, y in held])
        self.getPlotItem().setXRange(-0.5, max(10, number + 1.5), padding=0)

    def point_count(self) -> int:
        return sum(len(xs) for xs, _ in self._points.values())


class ImportanceChart(pg.PlotWidget):
    """Horizontal bars: how much each searched setting explained the validation RMSE."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        item = style_plot(self, "Which settings mattered", "importance (share)", "")
        item.legend.setVisible(False)
        item.getAxis("left").setStyle(tickTextWidth=90, autoExpandTextSpace=True)
        self._bars = pg.BarGraphItem(x0=[], y=[], height=0.6, width=[], brush=SERIES["accent"])
        item.addItem(self._bars)
        self._note = pg.TextItem(color=palette_color(QPalette.ColorRole.Text), anchor=(0, 0))
        item.addItem(self._note)
        self.set_importances({})

    def set_importances(self, importances: dict[str, float]) -> None:
        """Show the importances (largest on top); an empty dict shows why there are none yet."""
        self._names = list(importances)
        names = self._names[::-1]
        values = [float(importances[n]) for n in names]
        self._bars.setOpts(x0=[0] * len(values), y=list(range(len(values))), width=values)
        labels = [WORDS.get(n, n) for n in names]
        self.getPlotItem().getAxis("left").setTicks([list(enumerate(labels))])
        self._note.setText("" if names else "Shown after a few finished trials.")
        self._note.setPos(0.02, 0.5)
        self.getPlotItem().setXRange(0, max([0.5, *values]), padding=0.02)
        self.getPlotItem().setYRange(-0.6, max(len(values), 1) - 0.4, padding=0)

    def names(self) -> list[str]:
        """Setting names currently drawn, most important first."""
        return list(self._names)
