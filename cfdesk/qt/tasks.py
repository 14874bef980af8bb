"""One background call at a time (load, save, open, find LR) with progress and a cancel flag."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.qt.worker import GeneratorWorker, call_worker


class BackgroundTask(QObject):
    """Runs a blocking core call on a worker thread; results and errors arrive as signals.

    Pass `progress=task.report_progress` and `should_stop=task.stop_requested` to core calls that
    take them: both are safe to call from the worker thread. Once `close()`d (window closing) it
    starts nothing and stays silent, so no late result opens a dialog or starts a thread.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(float)
    busyChanged = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: GeneratorWorker | None = None
        self._cancel = False
        self._closed = False

    def is_busy(self) -> bool:
        return self._worker is not None

    def run(self, func: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Start `func(*args, **kwargs)` in the background; refuses while another call runs."""
        if self._worker is not None:
            raise RuntimeError("this task is already running")
        if self._closed:
            return
        self._cancel = False
        worker = call_worker(func, *args, **kwargs)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.busyChanged.emit(True)
        worker.start()

    def report_progress(self, fraction: float) -> None:
        """Progress callback for core code (any thread): the signal is queued to the UI thread."""
        self.progressed.emit(float(fraction))

    def stop_requested(self) -> bool:
        """Cancel check for core code (any thread)."""
        return self._cancel

    def cancel(self) -> None:
        self._cancel = True

    def wait(self, msecs: int = 10_000) -> bool:
        """Cancel and wait for the thread (window closing); True when it ended in time."""
        worker = self._worker
        if worker is None:
            return True
        self.cancel()
        return worker.wait(msecs)

    def close(self, msecs: int = 10_000) -> bool:
        """Window closing: cancel, wait, and ignore whatever the worker still reports."""
        self._closed = True
        return self.wait(msecs)

    @Slot(object)
    def _on_returned(self, value: object) -> None:
        if not self._closed:
            self.succeeded.emit(value)

    @Slot(object)
    def _on_errored(self, exc: object) -> None:
        if not self._closed:
            self.failed.emit(exc)

    @Slot()
    def _on_finished(self) -> None:
        if self._worker is not None:
            self._worker.wait()
        self._worker = None
        if not self._closed:
            self.busyChanged.emit(False)
