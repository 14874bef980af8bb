"""The generic worker: yields arrive in order on the UI thread, errors and quit are honoured."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QObject, Signal, Slot

from cfdesk.qt.worker import GeneratorWorker, call_worker


class Recorder(QObject):
    """Lives on the UI thread, like the app's receivers; re-emits so tests can wait on it."""

    done = Signal()

    def __init__(self, worker: GeneratorWorker):
        super().__init__()
        self.events, self.values, self.threads = [], [], set()
        worker.started.connect(self.on_started)
        worker.yielded.connect(self.on_yielded)
        worker.returned.connect(self.on_returned)
        worker.errored.connect(self.on_errored)
        worker.finished.connect(self.on_finished)

    @Slot()
    def on_started(self):
        self.events.append("started")

    @Slot(object)
    def on_yielded(self, value):
        self.events.append("yielded")
        self.values.append(value)
        self.threads.add(threading.get_ident())

    @Slot(object)
    def on_returned(self, value):
        self.events.append(("returned", value))

    @Slot(object)
    def on_errored(self, exc):
        self.events.append(("errored", type(exc).__name__, str(exc)))

    @Slot()
    def on_finished(self):
        self.events.append("finished")
        self.done.emit()


def _count(n):
    for i in range(n):
        yield i, threading.get_ident()
    return "done"


def test_yields_arrive_in_order_on_the_ui_thread(qtbot):
    worker = GeneratorWorker(_count, 3)
    rec = Recorder(worker)
    with qtbot.waitSignal(rec.done, timeout=5000):
        worker.start()
    assert worker.wait(5000)
    assert rec.events == [
        "started",
        "yielded",
        "yielded",
        "yielded",
        ("returned", "done"),
        "finished",
    ]
    assert [v for v, _ in rec.values] == [0, 1, 2]
    assert {t for _, t in rec.values} != {threading.get_ident()}  # produced on another thread
    assert rec.threads == {threading.get_ident()}  # received on the UI thread


def _fails():
    yield 1
    raise ValueError("boom")


def test_error_goes_to_errored_not_returned(qtbot):
    worker = GeneratorWorker(_fails)
    rec = Recorder(worker)
    with qtbot.waitSignal(rec.done, timeout=5000):
        worker.start()
    assert rec.events == ["started", "yielded", ("errored", "ValueError", "boom"), "finished"]


def _endless():
    while True:
        time.sleep(0.005)
        yield 0


def test_quit_stops_between_yields_without_returning(qtbot):
    worker = GeneratorWorker(_endless)
    rec = Recorder(worker)
    worker.start()
    qtbot.waitUntil(lambda: "yielded" in rec.events, timeout=5000)
    with qtbot.waitSignal(rec.done, timeout=5000):
        worker.quit()
    assert worker.wait(5000)
    assert not any(isinstance(e, tuple) for e in rec.events)


def test_wait_returns_while_the_ui_thread_blocks(qtbot):
    """The thread ends on its own; the UI thread may block in wait() without a deadlock."""
    worker = GeneratorWorker(_endless)
    rec = Recorder(worker)
    worker.start()
    qtbot.waitUntil(lambda: "yielded" in rec.events, timeout=5000)
    worker.quit()
    assert worker.wait(3000)
    qtbot.waitSignal(rec.done, timeout=5000).wait()


@pytest.mark.parametrize("value", [42, None])
def test_call_worker_returns_the_call_result(qtbot, value):
    worker = call_worker(lambda: value)
    rec = Recorder(worker)
    with qtbot.waitSignal(rec.done, timeout=5000):
        worker.start()
    assert ("returned", value) in rec.events
