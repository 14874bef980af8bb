"""Runs Tune's event generator on a worker thread; its events arrive as signals on the UI thread."""

from __future__ import annotations

from collections.abc import Callable, Generator

import torch
from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.core.config import TrainConfig
from cfdesk.core.data.ratings import Ratings
from cfdesk.core.runs.events import (
    TrialOutcome,
    TrialRecorder,
    TrialStarted,
    TuneSettings,
    TuneStage,
)
from cfdesk.core.runs.trial import TrialEpoch
from cfdesk.core.runs.tune import Tuner
from cfdesk.qt.generator_run import GeneratorRun
from cfdesk.qt.training_runner import UI_CORES


class TuneRunner(GeneratorRun):
    """One search at a time. Signals: trialStarted(TrialStarted), trialEpoch(TrialEpoch),
    trialFinished(TrialOutcome), stageChanged(str), tuneFinished(TuneResult),
    tuneFailed(exception), runningChanged(bool)."""

    trialStarted = Signal(object)
    trialEpoch = Signal(object)
    trialFinished = Signal(object)
    stageChanged = Signal(str)
    tuneFinished = Signal(object)
    tuneFailed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tuner: Tuner | None = None
        self._stop_requested = False
        # recording(ratings) -> a TrialRecorder (the run store's) for each search, made on the
        # worker thread; None records nothing.
        self.recording: Callable[[Ratings], TrialRecorder | None] | None = None

    def start(self, ratings: Ratings, settings: TuneSettings, base: TrainConfig) -> None:
        """Search in the background; the UI thread only receives events."""
        if self._worker is None:
            self._stop_requested, self._tuner = False, None
        self._launch(ratings, settings, base)

    def _job(self, ratings: Ratings, settings: TuneSettings, base: TrainConfig) -> Generator:
        """Worker thread: the whole search; one core stays free for drawing."""
        threads = torch.get_num_threads()
        torch.set_num_threads(max(1, threads - UI_CORES))
        try:
            recorder = self.recording(ratings) if self.recording is not None else None
            self._tuner = Tuner(ratings, settings, base, recorder=recorder)
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

    def _settled(self) -> None:
        self._tuner = None

    def _finished(self, result: object) -> None:
        self.tuneFinished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.tuneFailed.emit(exc)
