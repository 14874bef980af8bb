"""Background tasks: progress reaches the UI thread only, throttled, and never crashes a receiver."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from PySide6.QtCore import QObject, Slot

from cfdesk.qt.tasks import PROGRESS_MS, BackgroundTask


class ProgressLog(QObject):
    """Records each `progressed` value with the thread it arrived on."""

    def __init__(self, task: BackgroundTask):
        super().__init__()
        self.values: list[float] = []
        self.threads: set[int] = set()
        self.outcome_after: int | None = None
        task.progressed.connect(self.on_progress)
        task.succeeded.connect(self.on_succeeded)

    @Slot(float)
    def on_progress(self, fraction: float) -> None:
        self.values.append(fraction)
        self.threads.add(threading.get_ident())

    @Slot(object)
    def on_succeeded(self, _value: object) -> None:
        self.outcome_after = len(self.values)


def report_often(progress, seconds: float) -> int:
    """Core-style work that reports progress as fast as it can for `seconds`."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        progress(min(elapsed / seconds, 0.99))
        calls += 1
    progress(1.0)
    return calls + 1


def test_progress_is_emitted_on_the_ui_thread_at_most_every_progress_ms(qtbot):
    task = BackgroundTask()
    log = ProgressLog(task)
    began = time.perf_counter()
    with qtbot.waitSignal(task.succeeded, timeout=20_000):
        task.run(report_often, task.report_progress, 0.6)
    seconds = time.perf_counter() - began
    assert log.threads == {threading.get_ident()}
    assert 2 <= len(log.values) <= seconds * 1000 / PROGRESS_MS + 2
    assert log.values == sorted(log.values)  # in order, never a stale value after a newer one
    assert log.values[-1] == 1.0  # the final fraction arrives, however close to the end
    assert log.outcome_after == len(log.values)  # ...and before the result


CRASH = """
import faulthandler, gc
faulthandler.enable()
from PySide6.QtCore import QCoreApplication, QEventLoop
from cfdesk.qt.tasks import BackgroundTask
app = QCoreApplication([])

class Waiter:  # a plain Python receiver that disconnects itself, like pytest-qt's waitSignal
    def __init__(self, signal):
        self.loop, self.signal = QEventLoop(), signal
        signal.connect(self.quit)
    def quit(self, *args):
        if self.signal is not None:
            self.signal.disconnect(self.quit)
            self.signal = None
        self.loop.quit()

def job(progress, should_stop):
    i = 0
    while not should_stop():
        progress(i % 1000 / 1000)
        i += 1

for _ in range(RUNS):
    task = BackgroundTask()
    waiter = Waiter(task.progressed)
    task.run(job, progress=task.report_progress, should_stop=task.stop_requested)
    waiter.loop.exec()
    del waiter
    gc.collect()
    task.cancel()
    while task.is_busy():
        app.processEvents()
print("alive")
"""


def test_a_freed_receiver_of_fast_progress_does_not_crash_the_process():
    """Before the fix, progress emitted from the worker crashed this within a few runs."""
    code = CRASH.replace("RUNS", "100")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "alive"
