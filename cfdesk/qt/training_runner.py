"""Runs the core's training report generator on a worker thread and coalesces it for the charts."""

from __future__ import annotations

from collections.abc import Callable, Generator

import torch
from PySide6.QtCore import QObject, QTimer, Signal, Slot

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.runs.recorder import RunRecorder
from cfdesk.core.training.trainer import (
    BatchReport,
    EpochReport,
    FitStarted,
    Trainer,
    prepare_split,
)
from cfdesk.qt.generator_run import GeneratorRun

UI_CORES = 1  # CPU cores kept free for the UI while training
REDRAW_MS = 150  # about 7 chart updates per second: enough to watch, cheap to draw (the
# monitor's memory chart is timed between these redraws)


def warm_up() -> None:
    """One tiny optimizer step: torch imports its compiler stack (~2 s) on the first step.

    Done on a worker thread when the window opens, so the first Train does not stall the UI
    while those imports hold the interpreter lock.
    """
    weight = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.AdamW([weight], lr=1e-3)
    weight.sum().backward()
    optimizer.step()


class TrainingRunner(GeneratorRun):
    """One training run at a time; signals arrive on the UI thread, batch reports in groups.

    Signals: fitStarted(FitStarted), batchesReady(list[BatchReport]), epochCompleted(EpochReport),
    trainingFinished(FittedModel, stopped: bool), trainingFailed(exception), runningChanged(bool).
    `recording(ratings, config)`, when set, makes each run's RunRecorder on the worker thread,
    so the run store is written without the UI thread.
    """

    fitStarted = Signal(object)
    batchesReady = Signal(object)
    epochCompleted = Signal(object)
    trainingFinished = Signal(object, bool)
    trainingFailed = Signal(object)

    def __init__(
        self, parent: QObject | None = None, between_batches: Callable[[], None] | None = None
    ) -> None:
        """`between_batches` runs on the training thread before every batch (UiTurn.wait)."""
        super().__init__(parent)
        self._between_batches = between_batches
        self._trainer: Trainer | None = None
        self._stop_requested = False
        self._pending: list[BatchReport | EpochReport] = []
        self.recording: Callable[[Ratings, TrainConfig], RunRecorder | None] | None = None
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(REDRAW_MS)
        self._flush_timer.timeout.connect(self._flush)

    def start(self, ratings: Ratings, config: TrainConfig, test: Ratings | None = None) -> None:
        """Split, build and train in the background; the UI thread only receives reports."""
        if self._worker is None and not self._closed:
            self._stop_requested, self._trainer, self._pending = False, None, []
        if self._launch(ratings, config, test):
            self._flush_timer.start()

    def _job(self, ratings: Ratings, config: TrainConfig, test: Ratings | None) -> Generator:
        """Runs on the worker thread: everything slow happens here, reports go out as yields."""
        threads = torch.get_num_threads()
        # Leave one core to the UI: drawing competes with torch's threads for the CPU.
        torch.set_num_threads(max(1, threads - UI_CORES))
        try:
            train, valid, _ = prepare_split(ratings, config, test, self.stop_requested)
            self._trainer = Trainer(train, valid, config, between_batches=self._between_batches)
            if self._stop_requested:
                self._trainer.stop()
            recorder = self.recording(ratings, config) if self.recording is not None else None
            if recorder is not None:
                return (yield from recorder.run(self._trainer))
            yield from self._trainer.reports()
            return self._trainer.result()
        finally:
            torch.set_num_threads(threads)

    def stop_requested(self) -> bool:
        """Cancel check for the split, before the trainer exists (any thread)."""
        return self._stop_requested

    def stop(self) -> None:
        """Stop at the next batch boundary and keep the best model so far (thread-safe)."""
        self._stop_requested = True
        if self._trainer is not None:
            self._trainer.stop()

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Stop and wait for the thread to end (window closing); True when it ended in time."""
        ended = super().shutdown(msecs)
        self._flush_timer.stop()
        return ended

    @Slot(object)
    def _on_yielded(self, report: object) -> None:
        if isinstance(report, (BatchReport, EpochReport)):
            self._pending.append(report)
        elif isinstance(report, FitStarted):
            self.fitStarted.emit(report)

    @Slot()
    def _flush(self) -> None:
        """Hand what arrived since the last redraw to the charts in one go, in order.

        Epoch reports wait for the timer too, so short epochs never add redraws.
        """
        pending, self._pending = self._pending, []
        batches: list[BatchReport] = []
        for report in pending:
            if isinstance(report, BatchReport):
                batches.append(report)
                continue
            if batches:
                self.batchesReady.emit(batches)
                batches = []
            self.epochCompleted.emit(report)
        if batches:
            self.batchesReady.emit(batches)

    def _settled(self) -> None:
        """The last reports reach the charts before the outcome does."""
        self._flush()
        self._flush_timer.stop()
        self._trainer = None

    def _finished(self, fitted: object) -> None:
        self.trainingFinished.emit(fitted, self._stop_requested)

    def _failed(self, exc: BaseException) -> None:
        self.trainingFailed.emit(exc)
