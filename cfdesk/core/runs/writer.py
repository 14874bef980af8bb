"""A background thread that applies run-store writes in order, so no caller waits for the disk.

Training threads and the UI only enqueue (microseconds); a locked or slow database delays the
writer thread alone. The thread starts on the first write and ends after a short idle spell.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from cfdesk.core.runs.connection import RunStoreError
from cfdesk.core.runs.store import RunStore

log = logging.getLogger(__name__)
IDLE_SECONDS = 2.0  # the thread (and its connection) ends after this long without work
Job = Callable[[RunStore], None]
ProblemHandler = Callable[[str], None]


class RunWriter:
    """Queues jobs `job(store)` for one writer thread; `flush()` waits until they are applied.

    A job that raises RunStoreError is logged and handed to its `on_error` (or the writer's
    `on_problem`) as a sentence; later jobs still run. Handlers are called on the writer thread.
    """

    def __init__(self, store: RunStore, on_problem: ProblemHandler | None = None) -> None:
        self.store = store
        self.on_problem = on_problem
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._done = threading.Condition(self._lock)
        self._pending = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, job: Job, on_error: ProblemHandler | None = None) -> bool:
        """Apply `job` soon on the writer thread; False once the writer is closed."""
        with self._lock:
            if self._closed:
                return False
            self._pending += 1
            self._queue.put((job, on_error))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="cfdesk-run-writer", daemon=True
                )
                self._thread.start()
        return True

    def flush(self, timeout: float | None = 5.0) -> bool:
        """Wait until every job submitted so far has run; False when `timeout` ran out first."""
        end = None if timeout is None else time.monotonic() + timeout
        with self._done:
            while self._pending:
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._done.wait(left)
        return True

    def close(self, timeout: float | None = 5.0) -> bool:
        """Accept no more jobs, apply those queued and end the thread; True when all ran."""
        start = time.monotonic()
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put(None)  # after the jobs already queued: the thread ends there
        if thread is None:
            return True
        left = None if timeout is None else max(0.0, timeout - (time.monotonic() - start))
        thread.join(left)
        return not thread.is_alive()

    def _loop(self) -> None:
        with self.store.kept_open():
            while True:
                try:
                    item = self._queue.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    item = None
                if item is None:
                    with self._lock:
                        if self._queue.empty() or self._closed:
                            self._thread = None
                            return
                    continue
                self._run(*item)
                with self._done:
                    self._pending -= 1
                    self._done.notify_all()

    def _run(self, job: Job, on_error: ProblemHandler | None) -> None:
        try:
            job(self.store)
        except RunStoreError as exc:
            log.warning("run not recorded: %s", exc)
            handler = on_error or self.on_problem
            if handler is not None:
                handler(str(exc))
        except Exception:  # a bug in a job must not end the writer or lose later jobs
            log.exception("a run-store job failed")
