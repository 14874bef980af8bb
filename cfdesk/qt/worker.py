"""A generic generator worker on its own QThread (superqt's GeneratorWorker contract, no dependency)."""

from __future__ import annotations

from collections.abc import Callable, Generator

from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot

_LIVE: set[GeneratorWorker] = set()  # started workers, kept until their thread has ended


class GeneratorWorker(QObject):
    """Runs a generator function off the UI thread; each yield becomes a `yielded` signal.

    Signals: started, yielded(value), returned(value), errored(exception), finished. `quit()` is
    honoured between yields, so long work must yield often. Connect the signals to `@Slot` methods
    of main-thread objects: they arrive queued, in order, on the UI thread.
    """

    started = Signal()
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(object)
    finished = Signal()

    def __init__(self, func: Callable[..., Generator], *args: object, **kwargs: object) -> None:
        super().__init__()
        self._func, self._args, self._kwargs = func, args, kwargs
        self._abort = False
        self._thread = QThread()
        self._thread.setObjectName(getattr(func, "__name__", "worker"))
        self.moveToThread(self._thread)
        self._thread.started.connect(self._work)
        # Direct: the thread must end even while the UI thread is blocked in wait().
        self.finished.connect(self._thread.quit, Qt.ConnectionType.DirectConnection)
        self._thread.finished.connect(self._release)

    def start(self) -> None:
        """Start the thread; signals begin to arrive on the caller's event loop."""
        _LIVE.add(self)  # a QThread destroyed while running aborts the process
        self._thread.start()

    def quit(self) -> None:
        """Ask the generator to stop at its next yield (thread-safe)."""
        self._abort = True

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, msecs: int | None = 10_000) -> bool:
        """Block until the thread has ended; True when it did within `msecs` (None: no limit)."""
        return self._thread.wait() if msecs is None else self._thread.wait(msecs)

    @Slot()
    def _release(self) -> None:
        """Runs on the UI thread once the thread has finished: now it may be garbage-collected."""
        self._thread.wait()
        _LIVE.discard(self)

    @Slot()
    def _work(self) -> None:
        self.started.emit()
        try:
            gen = self._func(*self._args, **self._kwargs)
            value = None
            while not self._abort:
                try:
                    self.yielded.emit(next(gen))
                except StopIteration as stop:
                    value = stop.value
                    break
            else:
                gen.close()
            if not self._abort:
                self.returned.emit(value)
        except Exception as exc:  # every failure goes to the one error handler
            self.errored.emit(exc)
        finally:
            # Hand the object back to the UI thread so it can be deleted there without warnings.
            self.moveToThread(QCoreApplication.instance().thread())
            self.finished.emit()


def _call(func: Callable[..., object], *args: object, **kwargs: object) -> Generator:
    """A plain call as a generator that never yields, so it fits the worker's contract."""
    return func(*args, **kwargs)
    yield  # unreachable: makes this function a generator


def call_worker(func: Callable[..., object], *args: object, **kwargs: object) -> GeneratorWorker:
    """A worker (not yet started) that runs one blocking call and emits its result as `returned`."""
    return GeneratorWorker(_call, func, *args, **kwargs)


def wait_for_all(msecs: int | None = 10_000) -> bool:
    """Block until every started worker's thread has ended (None: however long it takes).

    True when all did. At process exit nothing may remain: Qt aborts the process when a
    running QThread is destroyed.
    """
    ended = all(worker.wait(msecs) for worker in list(_LIVE))
    if ended:
        _LIVE.clear()
    return ended
