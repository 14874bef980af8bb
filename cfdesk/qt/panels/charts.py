"""Live training charts: RMSE per epoch with the batch loss, and memory over time (pyqtgraph)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer

from cfdesk.qt.theme import SERIES, pen, style_plot

GIB = 1024**3


def _nice_step(span: float) -> float:
    """A 1-2-5 step near a tenth of the span, so range ends land on round numbers."""
    raw = max(span, 1e-9) / 10
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)


class SteppedRange:
    """An axis range that grows in round steps with headroom instead of following every point.

    pyqtgraph's auto-range moves the axes on every update, which redraws both axes and paints
    the chart twice (about 5 ms per chart); a range that rarely changes is painted from cache.
    """

    def __init__(
        self,
        floor: float | None = None,
        headroom: float = 0.25,
        room_of_value: tuple[float, float] | None = None,
    ) -> None:
        self._floor = floor
        self._headroom = headroom  # share of the data's span added on the side that grew
        # Or (below, above): shares of the lowest and highest values themselves. A loss falls
        # from its first values: room below, taken at once, spares the redraws of every step down.
        self._room_of_value = room_of_value
        self.reset()

    def reset(self) -> None:
        """Forget the range (a new run starts)."""
        self.lo: float | None = None
        self.hi: float | None = None

    def fit(self, values: np.ndarray) -> tuple[float, float] | None:
        """The new range when the values leave the current one, else None (nothing to redraw)."""
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return None
        lo, hi = float(finite.min()), float(finite.max())
        if self.lo is not None and self.hi is not None and self.lo <= lo and hi <= self.hi:
            return None
        span = max(hi - lo, abs(hi) * 0.05, 1e-6)
        if self._room_of_value is None:
            below = above = self._headroom * span
        else:
            below, above = self._room_of_value[0] * abs(lo), self._room_of_value[1] * abs(hi)
        if self.lo is None or lo < self.lo:
            lo -= below
        else:
            lo = self.lo
        if self.hi is None or hi > self.hi:
            hi += above
        else:
            hi = self.hi
        if self._floor is not None:
            lo = max(lo, self._floor)
        step = _nice_step(hi - lo)
        self.lo, self.hi = math.floor(lo / step) * step, math.ceil(hi / step) * step
        return self.lo, self.hi


class MarkedSeries:
    """A line with a dot on each point, grown one point at a time.

    A PlotDataItem with a symbol rebuilds every dot on each setData (pyqtgraph looks each
    point's symbol up again): 1-3 ms of UI-thread CPU per epoch, growing with the epochs. Here
    the line is redrawn and only the new dots are added.
    """

    def __init__(self, plot: pg.PlotItem, series: str, name: str) -> None:
        self.x: list[float] = []
        self.y: list[float] = []  # NaN where a point has no value (no validation rows)
        self._drawn = 0  # points already handed to pyqtgraph
        self._line = plot.plot(pen=pen(series))
        self._dots = pg.ScatterPlotItem(
            size=6, symbol="o", brush=SERIES[series], pen=pg.mkPen(200, 200, 200)
        )
        plot.addItem(self._dots)
        # The legend's sample: a line through a dot, as PlotDataItem(symbol=…) would show.
        self._sample = pg.PlotDataItem(
            pen=pen(series), symbol="o", symbolSize=6, symbolBrush=SERIES[series]
        )
        plot.legend.addItem(self._sample, name)

    def append(self, x: float, y: float | None) -> None:
        """Keep the point; `draw()` shows it."""
        self.x.append(x)
        self.y.append(np.nan if y is None else y)

    def draw(self) -> None:
        """Hand the points added since the last draw to pyqtgraph."""
        if self._drawn == len(self.x):
            return
        self._line.setData(np.asarray(self.x), np.asarray(self.y), connect="finite")
        xs, ys = np.asarray(self.x[self._drawn :]), np.asarray(self.y[self._drawn :])
        new = np.isfinite(ys)
        if new.any():
            self._dots.addPoints(xs[new], ys[new])
        self._drawn = len(self.x)

    def clear(self) -> None:
        self.x, self.y, self._drawn = [], [], 0
        self._line.setData([], [])
        self._dots.clear()


class RmseChart(pg.PlotWidget):
    """Train and validation RMSE per epoch, smoothed batch loss, the baseline and the best epoch.

    Points are kept as they are added and drawn once, in the event loop's next turn: one flush
    of reports (batches, an epoch, more batches) updates each series once, and the chart's
    paint no longer follows the slot that fed it in the same pause, so input and other timers
    get a turn in between.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        item = style_plot(self, "Error (RMSE, lower is better)", "epoch", "RMSE")
        self._batch = item.plot(name="batch loss (smoothed)", pen=pen("batch", 1.0))
        self._train = MarkedSeries(item, "train", "train")
        self._valid = MarkedSeries(item, "valid", "validation")
        self._best = pg.ScatterPlotItem(
            size=16, symbol="star", brush=SERIES["best"], pen=None, name="best epoch"
        )
        item.addItem(self._best)
        self._baseline = pg.InfiniteLine(
            angle=0,
            movable=False,
            pen=pen("baseline", 1.5, True),
            label="",
            labelOpts={"position": 0.05, "color": SERIES["baseline"], "anchors": [(0, 1), (0, 1)]},
        )
        item.addItem(self._baseline)
        self._y_range = SteppedRange(floor=0.0, room_of_value=(0.5, 0.25))
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(0)
        self._redraw_timer.timeout.connect(self.redraw)
        self.clear_data()

    def set_epochs(self, epochs: int) -> None:
        """Fix the x axis to the whole run: a steady axis is redrawn from cache (cheaper)."""
        self.getPlotItem().setXRange(0, max(epochs, 1), padding=0.02)

    def clear_data(self) -> None:
        """Forget every point (a new run starts)."""
        self._redraw_timer.stop()
        self._batch_x: list[float] = []
        self._batch_y: list[float] = []
        self._batch_drawn = 0
        self._batch.setData([], [])
        self._train.clear()
        self._valid.clear()
        self._best_point: tuple[float, float] | None = None  # the best epoch so far
        self._best_drawn: tuple[float, float] | None = None  # where the star is
        self._best.setData([], [])
        self._baseline.setVisible(False)
        self._baseline_y: list[float] = []
        self._y_range.reset()
        self.getPlotItem().enableAutoRange(y=True)

    def _fit_y(self) -> None:
        """Keep every series and the baseline in view, moving the axis only in steps."""
        values = np.asarray(self._batch_y + self._train.y + self._valid.y + self._baseline_y)
        new = self._y_range.fit(values)
        if new is not None:
            self.getPlotItem().setYRange(*new, padding=0)

    def _schedule(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def set_baseline(self, rmse: float | None, label: str) -> None:
        """The RMSE to beat, drawn as a dashed line."""
        self._baseline.setVisible(rmse is not None)
        self._baseline_y = [] if rmse is None else [rmse]
        if rmse is not None:
            self._baseline.setValue(rmse)
            self._baseline.label.setFormat(f"{label} {rmse:.3f}")
        self._schedule()

    def add_batches(self, xs: list[float], ys: list[float]) -> None:
        """Append smoothed batch losses at fractional epochs."""
        self._batch_x += xs
        self._batch_y += ys
        self._schedule()

    def add_epoch(
        self, epoch: int, train_rmse: float, valid_rmse: float | None, is_best: bool
    ) -> None:
        """Append one epoch's figures; the star follows the best validation epoch."""
        self._train.append(float(epoch), train_rmse)
        self._valid.append(float(epoch), valid_rmse)
        if is_best and valid_rmse is not None:
            self._best_point = (float(epoch), valid_rmse)
        self._schedule()

    def redraw(self) -> None:
        """Show what was added since the last redraw (the timer calls it; tests may too)."""
        self._redraw_timer.stop()
        if self._batch_drawn != len(self._batch_x):
            self._batch.setData(np.asarray(self._batch_x), np.asarray(self._batch_y))
            self._batch_drawn = len(self._batch_x)
        self._train.draw()
        self._valid.draw()
        if self._best_point is not None and self._best_point != self._best_drawn:
            self._best.setData([self._best_point[0]], [self._best_point[1]])
            self._best_drawn = self._best_point
        self._fit_y()

    def point_counts(self) -> dict[str, int]:
        """How many points each series holds (tests, benchmark)."""
        return {
            "train": len(self._train.y),
            "valid": len(self._valid.y),
            "batch": len(self._batch_y),
            "best": 0 if self._best_point is None else 1,
        }


class MemoryChart(pg.PlotWidget):
    """GPU: NVML used/total and torch allocated/reserved; Apple GPU: torch's MPS figures beside
    the system memory it shares; CPU: process RSS and system memory."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._item = style_plot(self, "Memory", "seconds", "GiB")
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._names: list[str] = []  # the legend the curves were made for
        self._x_range = SteppedRange(floor=0.0, headroom=0.5)  # time only grows
        self._y_range = SteppedRange(floor=0.0)
        # Curves for a machine without a GPU from the start: making them took the first run's
        # first memory update about 8 ms.
        self._make_curves(SimpleNamespace(kind="cpu", system_used=None, rss=None))
        self.clear_data()

    def clear_data(self, title: str = "Memory: waiting for the first sample") -> None:
        """Forget every sample; the curves stay until a sample from another kind of device."""
        for curve in self._curves.values():
            curve.setData([], [])
        self._t0: float | None = None
        self._x: list[float] = []
        self._ys: dict[str, list[float]] = {key: [] for key in self._curves}
        self._x_range.reset()
        self._y_range.reset()
        self._item.legend.setVisible(False)  # names for no lines; the next sample shows it
        self._item.enableAutoRange()
        self._item.setTitle(title)

    def _series_for(self, sample) -> dict[str, tuple[str, float | None]]:
        """Which lines to draw for this kind of device, with their values."""
        if sample.kind == "cuda":
            source = "CUDA" if getattr(sample, "note", "") else "NVML"  # NVML missing: CUDA's
            return {
                "used": (f"GPU used ({source})", sample.used),
                "reserved": ("torch reserved", sample.torch_reserved),
                "allocated": ("torch allocated", sample.torch_allocated),
            }
        if sample.kind == "mps":
            return {
                "used": ("system used (shared)", sample.system_used),
                "reserved": ("Metal driver", sample.torch_reserved),
                "allocated": ("torch allocated", sample.torch_allocated),
            }
        return {
            "allocated": ("system used", sample.system_used),
            "used": ("cfdesk (RSS)", sample.rss),
        }

    def _title(self, sample) -> str:
        """Device and total memory: the ceiling the lines must stay under."""
        if sample.kind == "cuda":
            total = f" · {sample.total / GIB:.1f} GiB" if sample.total else ""
            note = getattr(sample, "note", "")
            return f"GPU {sample.device_name}{total}" + (
                f"<br><small>{note}</small>" if note else ""
            )
        total = f" · {sample.system_total / GIB:.1f} GiB total" if sample.system_total else ""
        if sample.kind == "mps":
            return f"Apple GPU (MPS), memory shared with the CPU{total}"
        return f"CPU memory (no GPU){total}"

    def _legend(self, sample) -> list[str]:
        return [name for name, _ in self._series_for(sample).values()]

    def _make_curves(self, sample) -> None:
        """Curves and legend entries for this sample's series (rebuilt only when they change:
        another kind of device, or NVML missing where it was there)."""
        for curve in self._curves.values():
            self._item.removeItem(curve)
        self._item.legend.clear()
        self._names = self._legend(sample)
        self._curves = {
            key: self._item.plot(name=name, pen=pen(key))
            for key, (name, _) in self._series_for(sample).items()
        }
        self._ys = {key: [] for key in self._curves}

    def add_samples(self, samples: list) -> None:
        """Append MemorySamples; the first one decides the series and the title."""
        if not samples:
            return
        if self._t0 is None:
            self._t0 = samples[0].t
            self._item.setTitle(self._title(samples[0]))
            if self._legend(samples[0]) != self._names:
                self._make_curves(samples[0])
            self._item.legend.setVisible(True)
        for sample in samples:
            self._x.append(sample.t - self._t0)
            for key, (_, value) in self._series_for(sample).items():
                if key in self._ys:
                    self._ys[key].append(np.nan if value is None else value / GIB)
        x = np.asarray(self._x)
        for key, curve in self._curves.items():
            curve.setData(x, np.asarray(self._ys[key]), connect="finite")
        new_x = self._x_range.fit(x)
        if new_x is not None:
            self._item.setXRange(*new_x, padding=0)
        new_y = self._y_range.fit(np.asarray([v for ys in self._ys.values() for v in ys]))
        if new_y is not None:
            self._item.setYRange(*new_y, padding=0)

    def sample_count(self) -> int:
        return len(self._x)
