"""While the UI draws training progress, the training thread waits between batches, briefly."""

from __future__ import annotations

import threading
import time

from cfdesk.qt.ui_turn import MAX_WAIT_S, UiTurn


def _waited(turn: UiTurn) -> float:
    """Seconds a training-thread wait() takes, measured on a real second thread."""
    took: list[float] = []

    def wait() -> None:
        start = time.perf_counter()
        turn.wait()
        took.append(time.perf_counter() - start)

    thread = threading.Thread(target=wait)
    thread.start()
    thread.join()
    return took[0]


def test_training_waits_only_while_the_ui_holds_its_turn(qtbot):
    turn = UiTurn()
    assert _waited(turn) < MAX_WAIT_S / 2  # nothing drawn: no wait
    turn.take()
    assert _waited(turn) >= MAX_WAIT_S * 0.9  # the UI is busy and its loop has not run
    assert _waited(turn) < MAX_WAIT_S / 2  # once per turn: a stuck UI slows training once
    qtbot.wait(20)  # the event loop runs: the turn ends after the paint pass
    assert _waited(turn) < MAX_WAIT_S / 2
    turn.take()
    qtbot.wait(20)
    assert _waited(turn) < MAX_WAIT_S / 2  # drawn and given back before training asked


def test_a_monitor_update_takes_the_turn(qtbot):
    from cfdesk.core.training.reports import BatchReport
    from cfdesk.qt.panels.training_monitor import TrainingMonitor

    monitor = TrainingMonitor()
    qtbot.addWidget(monitor)
    monitor.start(3, "CPU")
    monitor.on_batches([BatchReport(1, 2, 10, 0.05, 1.1, 0.01, None)])
    assert _waited(monitor.ui_turn) >= MAX_WAIT_S * 0.9
    qtbot.wait(20)
    assert _waited(monitor.ui_turn) < MAX_WAIT_S / 2
