"""One background call at a time (load, save, open, find LR) with progress and a cancel flag."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from cfdesk.qt.worker import GeneratorWorker, call_worker

PROGRESS_MS = 33  # at most ~30 progress signals a second: what a person can see


class BackgroundTask(QObject):
    """Runs a blocking core call on a worker thread; results and errors arrive as signals.

    Pass `progress=task.report_progress` and `should_stop=task.stop_requested` to core calls that
    take them: both are safe to call from the worker thread. Once `close()`d (window closing) it
    starts nothing and stays silent, so no late result opens a dialog or starts a thread.

    Every signal is emitted on the UI thread. `progressed` in particular is never emitted from the
    worker: a cross-thread emit queues one call per report to every receiver, and PySide runs those
    queued calls even after a plain Python callable was disconnected and freed (a segfault;
    docs/gui-reliability.md). The worker only stores the latest fraction; a UI-thread timer
    emits it when it has changed, at most every PROGRESS_MS.
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
        self._latest: float | None = None  # written by the worker, read by the UI thread
        self._shown: float | None = None  # the last fraction `progressed` carried
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(PROGRESS_MS)
        self._progress_timer.timeout.connect(self._emit_progress)

    def is_busy(self) -> bool:
        return self._worker is not None

    def run(self, func: Callable[..., object], *args: object, **kwargs: object) -> None:
        """Start `func(*args, **kwargs)` in the background; refuses while another call runs."""
        if self._worker is not None:
            raise RuntimeError("this task is already running")
        if self._closed:
            return
        self._cancel = False
        self._latest = self._shown = None
        worker = call_worker(func, *args, **kwargs)
        worker.returned.connect(self._on_returned)
        worker.errored.connect(self._on_errored)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self.busyChanged.emit(True)
        self._progress_timer.start()
        worker.start()

    def report_progress(self, fraction: float) -> None:
        """Progress callback for core code (any thread, any rate): stored for the UI thread."""
        self._latest = float(fraction)

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

    @Slot()
    def _emit_progress(self) -> None:
        """UI thread: pass on the worker's latest fraction when it has changed."""
        fraction = self._latest
        if fraction is not None and fraction != self._shown and not self._closed:
            self._shown = fraction
            self.progressed.emit(fraction)

    @Slot(object)
    def _on_returned(self, value: object) -> None:
        self._emit_progress()  # the last fraction before the outcome, however recent
        if not self._closed:
            self.succeeded.emit(value)

    @Slot(object)
    def _on_errored(self, exc: object) -> None:
        self._emit_progress()
        if not self._closed:
            self.failed.emit(exc)

    @Slot()
    def _on_finished(self) -> None:
        self._progress_timer.stop()
        if self._worker is not None:
            self._worker.wait()
        self._worker = None
        if not self._closed:
            self.busyChanged.emit(False)
