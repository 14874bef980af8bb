"""The memory chart redraws between RMSE redraws, and a finished run shows every sample."""

from __future__ import annotations

from types import SimpleNamespace

from cfdesk.qt.panels.training_monitor import MEMORY_DELAY_MS, TrainingMonitor


def _batch(i: int) -> SimpleNamespace:
    memory = SimpleNamespace(
        t=float(i), kind="cpu", device_name="CPU", rss=2**29, system_used=2**31, system_total=2**33
    )
    return SimpleNamespace(
        epoch=1, batch=i, n_batches=100, loss_rmse=1.0, lr=0.01, fraction=i / 100,
        message=None, memory=memory,
    )  # fmt: skip


def test_memory_chart_follows_shortly_after_the_rmse_chart(qtbot):
    monitor = TrainingMonitor()
    qtbot.addWidget(monitor)
    monitor.start(3, "CPU")
    monitor.on_batches([_batch(1), _batch(2)])
    assert monitor.rmse_chart.point_counts()["batch"] == 2
    qtbot.waitUntil(lambda: monitor.memory_chart.sample_count() == 2, timeout=MEMORY_DELAY_MS * 20)


def test_finish_draws_samples_still_waiting_and_start_forgets_them(qtbot):
    monitor = TrainingMonitor()
    qtbot.addWidget(monitor)
    monitor.start(3, "CPU")
    monitor.on_batches([_batch(1)])
    monitor.finish("Done.", completed=True)
    assert monitor.memory_chart.sample_count() == 1
    monitor.on_batches([_batch(2)])
    monitor.start(3, "CPU")
    qtbot.wait(MEMORY_DELAY_MS * 2)
    assert monitor.memory_chart.sample_count() == 0
