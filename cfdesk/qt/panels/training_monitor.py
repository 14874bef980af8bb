"""What training is doing right now: RMSE and memory charts, a progress bar and a log."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QPlainTextEdit,
    QProgressBar,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cfdesk.qt.panels.charts import MemoryChart, RmseChart
from cfdesk.qt.status_line import StatusLine
from cfdesk.qt.training_runner import REDRAW_MS
from cfdesk.qt.ui_turn import UiTurn

PROGRESS_STEPS = 1000
MEMORY_DELAY_MS = 75  # memory chart paints between two RMSE redraws: two short pauses, not one long
MEMORY_EVERY_MS = 600  # memory moves slowly: a redraw this often is enough (and 4× fewer paints)


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds >= 60 else f"{seconds} s"


class TrainingMonitor(QWidget):
    """Fed reports by the window (already coalesced); draws them, never blocks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rmse_chart = RmseChart()
        self.memory_chart = MemoryChart()
        self.progress = QProgressBar()
        self.progress.setRange(0, PROGRESS_STEPS)
        self.progress.setTextVisible(True)
        self.status = StatusLine("Set up the model on the left, then press Train.")
        self.log = QPlainTextEdit(readOnly=True)
        self.log.setMaximumBlockCount(2000)
        self.log.setPlaceholderText("Training messages appear here.")
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        charts = QSplitter(Qt.Orientation.Horizontal)
        charts.addWidget(self.rmse_chart)
        charts.addWidget(self.memory_chart)
        charts.setSizes([600, 400])
        self.splitter.addWidget(charts)
        self.splitter.addWidget(self.log)
        self.splitter.setSizes([520, 140])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        self._epochs = 1
        self._t0 = time.perf_counter()
        self._samples_per_sec = 0.0
        self._memory_pending: list = []
        self._memory_drawn = 0.0  # when the memory chart was last redrawn (perf_counter)
        self._memory_timer = QTimer(self)
        self._memory_timer.setSingleShot(True)
        self._memory_timer.timeout.connect(self._flush_memory)
        self.ui_turn = UiTurn(self)
        self._set_progress(0.0, "")

    def _set_progress(self, fraction: float, text: str) -> None:
        """QProgressBar repaints at once when its value moves (a paint of its own); with
        updates off for the change it is painted with the charts in the window's next pass."""
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(int(round(min(max(fraction, 0.0), 1.0) * PROGRESS_STEPS)))
        self.progress.setFormat(text or "%p%")
        self.progress.setUpdatesEnabled(True)

    def append_log(self, text: str) -> None:
        """One line in the log pane, time-stamped."""
        self.log.appendPlainText(f"{time.strftime('%H:%M:%S')}  {text}")

    def start(self, epochs: int, device_hint: str) -> None:
        """A run begins: clear the charts and say where it runs."""
        self._epochs, self._t0, self._samples_per_sec = max(epochs, 1), time.perf_counter(), 0.0
        self.rmse_chart.clear_data()
        self.rmse_chart.set_epochs(epochs)
        self._memory_timer.stop()
        self._memory_pending = []
        self.memory_chart.clear_data()
        self._set_progress(0.0, "preparing…")
        self.status.setText(f"Preparing data and model on {device_hint}…")

    @Slot(object)
    def on_fit_started(self, report) -> None:
        """Baseline line and a first log entry with sizes and the scaled batch settings."""
        baselines = dict(report.baselines or {})
        name, value = self._baseline(baselines)
        self.rmse_chart.set_baseline(value, name)
        self._epochs = max(report.epochs, 1)
        self.rmse_chart.set_epochs(report.epochs)
        skipped = (
            f" ({report.n_valid_skipped:,} left out: user or item unseen in training)"
            if report.n_valid_skipped
            else ""
        )
        self.append_log(
            f"Training a {report.model} model on {report.device_name}: {report.n_train:,} "
            f"training and {report.n_valid:,} validation ratings{skipped}, "
            f"{report.n_batches:,} steps per epoch."
        )
        if getattr(report, "device_note", ""):
            self.append_log(report.device_note)
        self.append_log(f"Batch {report.batch_size:,}: {report.lr_rule}.")
        for key, rmse in baselines.items():
            self.append_log(f"Baseline {key.replace('_', ' ')}: RMSE {rmse:.4f}")

    @staticmethod
    def _baseline(baselines: dict) -> tuple[str, float | None]:
        """The strongest baseline is the one worth beating."""
        if not baselines:
            return "", None
        key = min(baselines, key=lambda k: baselines[k])
        return f"baseline ({key.replace('_', ' ')})", float(baselines[key])

    @Slot(object)
    def on_batches(self, reports: list) -> None:
        """A coalesced group of batch reports: one chart update, one progress update."""
        if not reports:
            return
        self.ui_turn.take()
        self.rmse_chart.add_batches(
            [r.epoch - 1 + r.batch / max(r.n_batches, 1) for r in reports],
            [r.loss_rmse for r in reports],
        )
        self._memory_pending += [r.memory for r in reports if r.memory is not None]
        if self._memory_pending and not self._memory_timer.isActive():
            self._memory_timer.start(self._memory_delay_ms())
        last = reports[-1]
        self._show_progress(last.epoch, last.fraction)
        self.status.setText(
            f"Training… smoothed batch loss {last.loss_rmse:.4f} (as RMSE), "
            f"learning rate {last.lr:.3g}"
        )
        for message in (r.message for r in reports if r.message):
            self.append_log(message)

    def _memory_delay_ms(self) -> int:
        """Half-way between two RMSE redraws, and at least MEMORY_EVERY_MS after the last one."""
        since = (time.perf_counter() - self._memory_drawn) * 1000
        redraws = max(0, math.ceil((MEMORY_EVERY_MS - since - MEMORY_DELAY_MS) / REDRAW_MS))
        return MEMORY_DELAY_MS + REDRAW_MS * redraws

    @Slot()
    def _flush_memory(self) -> None:
        """Memory samples that arrived since the last memory redraw, in one chart update."""
        self._memory_timer.stop()
        samples, self._memory_pending = self._memory_pending, []
        if samples:
            self.ui_turn.take()
            self._memory_drawn = time.perf_counter()
        self.memory_chart.add_samples(samples)

    @Slot(object)
    def on_epoch(self, report) -> None:
        """Epoch figures into the RMSE chart and the log."""
        self.ui_turn.take()
        self._samples_per_sec = report.samples_per_second
        valid_rmse = None if math.isnan(report.valid_rmse) else report.valid_rmse
        self.rmse_chart.add_epoch(report.epoch, report.train_rmse, valid_rmse, report.is_best)
        valid = "n/a" if valid_rmse is None else f"{valid_rmse:.4f}"
        best = "  ← best so far" if report.is_best else ""
        self.append_log(
            f"Epoch {report.epoch}/{report.epochs}: train RMSE {report.train_rmse:.4f}, "
            f"validation RMSE {valid}, {report.seconds:.1f} s, "
            f"{report.samples_per_second:,.0f} ratings/s{best}"
        )
        self._show_progress(report.epoch, report.epoch / max(report.epochs, 1))

    def _show_progress(self, epoch: int, fraction: float) -> None:
        """Bar and text: epoch, share done, speed of the last epoch, time left at that pace."""
        elapsed = time.perf_counter() - self._t0
        left = elapsed * (1 - fraction) / fraction if fraction > 0 else 0.0
        speed = f" · {self._samples_per_sec:,.0f} ratings/s" if self._samples_per_sec else ""
        self._set_progress(
            fraction,
            f"epoch {epoch}/{self._epochs} · {fraction:.0%}{speed} · {_duration(left)} left",
        )

    def replay(self, fitted, name: str) -> None:
        """An opened model: draw the curves saved with it, as they were when its training ended.

        Files keep one row per epoch (no batch losses, no memory samples).
        """
        history = fitted.history
        self._memory_timer.stop()
        self._memory_pending = []
        self.memory_chart.clear_data("Memory: drawn only while training runs here")
        self.rmse_chart.clear_data()
        epochs = max([int(row.get("epochs", 0)) for row in history] + [len(history), 1])
        self.rmse_chart.set_epochs(epochs)
        self.rmse_chart.set_baseline(*self._saved_baseline(fitted.metrics))
        for row in history:
            valid = row.get("valid_rmse")
            valid = None if valid is None or math.isnan(valid) else float(valid)
            self.rmse_chart.add_epoch(
                int(row["epoch"]), float(row["train_rmse"]), valid, bool(row.get("is_best"))
            )
        best = fitted.metrics.get("best_epoch")
        rmse = fitted.metrics.get("valid_rmse")
        figure = f", validation RMSE {rmse:.4f}" if isinstance(rmse, float) else ""
        kept = f" (kept epoch {best}{figure})" if best else ""
        if history:
            message = f"{name}: {len(history)} epochs trained{kept}. Curves as saved with it."
        else:
            message = f"{name} holds no training curves."
        self._set_progress(1.0 if history else 0.0, "opened from a file")
        self.status.setText(message)
        self.append_log(message)

    @staticmethod
    def _saved_baseline(metrics: dict) -> tuple[float | None, str]:
        """The strongest validation baseline recorded in a model's metrics."""
        saved = metrics.get("baselines") or {}
        valid = {k: v["valid"] for k, v in saved.items() if isinstance(v, dict) and "valid" in v}
        name, value = TrainingMonitor._baseline(valid)
        return value, name

    def finish(self, message: str, completed: bool) -> None:
        """The run ended (done, stopped or failed)."""
        self._flush_memory()
        if completed:
            self._set_progress(1.0, f"done in {_duration(time.perf_counter() - self._t0)}")
        self.status.setText(message)
        self.append_log(message)
