"""One background generator job at a time (a training run, a search), with its end reported
once the thread is done; subclasses supply the job, its yields and its outcome signals."""

from __future__ import annotations

from collections.abc import Generator

from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.qt.worker import GeneratorWorker


class GeneratorRun(QObject):
    """Start, stop and shut down one GeneratorWorker; `runningChanged(bool)` follows it.

    Subclasses implement `_job` (worker thread), `_on_yielded` (UI thread), `stop`, and
    `_finished(value)` / `_failed(exc)`, which emit their own outcome signals after the thread
    has ended and `runningChanged(False)` was sent (so their handlers may start a new run).
    """

    runningChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: GeneratorWorker | None = None
        self._outcome: tuple | None = None
        self._closed = False  # window closing: start nothing, report nothing

    def is_running(self) -> bool:
        return self._worker is not None

    def _launch(self, *args: object) -> bool:
        """Run `_job(*args)` on a worker thread; False when the window is closing."""
        if self._worker is not None:
            raise RuntimeError(f"a {type(self).__name__} is already in progress")
        if self._closed:
            return False
        worker = GeneratorWorker(self._job, *args)
        worker.yielded.connect(self._on_yielded)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.runningChanged.emit(True)
        worker.start()
        return True

    def _job(self, *args: object) -> Generator:
        raise NotImplementedError

    def _on_yielded(self, value: object) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def _finished(self, value: object) -> None:
        raise NotImplementedError

    def _failed(self, exc: BaseException) -> None:
        raise NotImplementedError

    def _settled(self) -> None:
        """The thread is done (UI thread, before any outcome is reported): subclasses tidy up."""

    def shutdown(self, msecs: int = 10_000) -> bool:
        """Stop and wait for the thread to end (window closing); True when it ended in time.

        Afterwards nothing starts and nothing is emitted: the window is going away.
        """
        self._closed = True
        worker = self._worker
        if worker is None:
            return True
        self.stop()
        worker.quit()
        return worker.wait(msecs)

    @Slot(object)
    def _on_returned(self, value: object) -> None:
        self._outcome = (self._finished, value)

    @Slot(object)
    def _on_errored(self, exc: object) -> None:
        self._outcome = (self._failed, exc)

    @Slot()
    def _on_finished(self) -> None:
        """Reset first, so handlers of the outcome may start a new run."""
        self._settled()
        if self._worker is not None:
            self._worker.wait()
        self._worker = None
        outcome, self._outcome = self._outcome, None
        if self._closed:
            return
        self.runningChanged.emit(False)
        if outcome is not None:
            report, value = outcome
            report(value)
