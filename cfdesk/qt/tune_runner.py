"""Runs Tune's event generator on a worker thread; its events arrive as signals on the UI thread."""

from __future__ import annotations

from collections.abc import Generator

import torch
from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.runs.events import TrialOutcome, TrialStarted, TuneSettings, TuneStage
from cfdesk.core.runs.trial import TrialEpoch
from cfdesk.core.runs.tune import Tuner
from cfdesk.qt.training_runner import UI_CORES
from cfdesk.qt.worker import GeneratorWorker


class TuneRunner(QObject):
    """One search at a time. Signals: trialStarted(TrialStarted), trialEpoch(TrialEpoch),
    trialFinished(TrialOutcome), stageChanged(str), tuneFinished(TuneResult),
    tuneFailed(exception), runningChanged(bool)."""

    trialStarted = Signal(object)
    trialEpoch = Signal(object)
    trialFinished = Signal(object)
    stageChanged = Signal(str)
    tuneFinished = Signal(object)
    tuneFailed = Signal(object)
    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: GeneratorWorker | None = None
        self._tuner: Tuner | None = None
        self._stop_requested = False
        self._outcome: tuple | None = None
        self._closed = False
        self.recorder = None  # a TrialRecorder (e.g. the run store's) gets every trial

    def is_running(self) -> bool:
        return self._worker is not None

    def start(self, ratings: Ratings, settings: TuneSettings, base: TrainConfig) -> None:
        """Search in the background; the UI thread only receives events."""
        if self._worker is not None:
            raise RuntimeError("a search is already in progress")
        if self._closed:
            return
        self._stop_requested, self._tuner = False, None
        worker = GeneratorWorker(self._job, ratings, settings, base)
        worker.yielded.connect(self._on_yielded)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.runningChanged.emit(True)
        worker.start()

    def _job(self, ratings: Ratings, settings: TuneSettings, base: TrainConfig) -> Generator:
        """Worker thread: the whole search; one core stays free for drawing."""
        threads = torch.get_num_threads()
        torch.set_num_threads(max(1, threads - UI_CORES))
        try:
            self._tuner = Tuner(ratings, settings, base, recorder=self.recorder)
            if self._stop_requested:
                self._tuner.stop()
            return (yield from self._tuner.events())
        finally:
            torch.set_num_threads(threads)

    def stop(self) -> None:
        """End the search at the next batch; the best trials so far make the result."""
        self._stop_requested = True
        if self._tuner is not None:
            self._tuner.stop()

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Stop and wait (window closing); afterwards nothing starts and nothing is emitted."""
        self._closed = True
        worker = self._worker
        if worker is None:
            return True
        self.stop()
        worker.quit()
        return worker.wait(msecs)

    @Slot(object)
    def _on_yielded(self, event: object) -> None:
        if self._closed:
            return
        if isinstance(event, TrialStarted):
            self.trialStarted.emit(event)
        elif isinstance(event, TrialEpoch):
            self.trialEpoch.emit(event)
        elif isinstance(event, TrialOutcome):
            self.trialFinished.emit(event)
        elif isinstance(event, TuneStage):
            self.stageChanged.emit(event.text)

    @Slot(object)
    def _on_returned(self, result: object) -> None:
        self._outcome = (self.tuneFinished, result)

    @Slot(object)
    def _on_errored(self, exc: object) -> None:
        self._outcome = (self.tuneFailed, exc)

    @Slot()
    def _on_finished(self) -> None:
        """The thread is done: reset first, so handlers of the outcome may start a new search."""
        if self._worker is not None:
            self._worker.wait()
        self._worker, self._tuner = None, None
        outcome, self._outcome = self._outcome, None
        if self._closed:
            return
        self.runningChanged.emit(False)
        if outcome is not None:
            signal, value = outcome
            signal.emit(value)
