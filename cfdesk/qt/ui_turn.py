"""The UI thread's turn at the interpreter lock while it draws training progress.

The training thread runs Python between small torch ops and so holds the interpreter lock most
of the time. A chart update calls from Qt into pyqtgraph's Python code dozens of times, and each
call may wait up to the interpreter's switch interval (5 ms) for the lock: a 4 ms paint became a
20-40 ms stall. While the UI holds its turn the training thread waits between batches (never
longer than MAX_WAIT_S), so the paint runs at the speed of its own work.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QTimer, Slot

MAX_WAIT_S = 0.03  # a UI hiccup never holds training up for longer than this per batch
AFTER_PAINT_MS = 1  # a timer fires after the posted paint events of the same pass


class UiTurn(QObject):
    """`take()` on the UI thread before changing what is drawn; the turn ends by itself once
    the window has painted. `wait()` is for the training thread, between batches."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._free = threading.Event()
        self._free.set()
        self._turn = 0  # how many turns the UI has taken
        self._waited = 0  # the last turn the training thread waited for
        self._release = QTimer(self)
        self._release.setSingleShot(True)
        self._release.setInterval(AFTER_PAINT_MS)
        self._release.timeout.connect(self.give_back)

    def take(self) -> None:
        self._turn += 1
        self._free.clear()
        self._release.start()

    @Slot()
    def give_back(self) -> None:
        self._free.set()

    def wait(self) -> None:
        """Training thread: return at once unless the UI is drawing; then wait at most
        MAX_WAIT_S, once per turn (a UI thread the system keeps waiting slows training once)."""
        turn = self._turn
        if turn == self._waited:
            return
        self._free.wait(MAX_WAIT_S)
        self._waited = turn
